"""A candidate's phone number is kept in E.164; one that cannot be a number is refused
with the form's error."""

import pytest
from django import forms
from django.contrib import admin

from candidates.admin import CandidateAdmin
from candidates.models import Candidate
from core.phones import E164PhoneField, e164


class PhoneForm(forms.Form):
    phone = E164PhoneField()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(773) 555-0123", "+17735550123"),
        ("+1 773 555 0123", "+17735550123"),
        ("773.555.0123", "+17735550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_a_number_is_stored_in_e164(typed, stored):
    form = PhoneForm({"phone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == stored


@pytest.mark.parametrize("typed", ["12", "call me", "+1 000 000 0000", "\x00"])
def test_a_number_that_cannot_be_one_is_refused_with_an_error(typed):
    form = PhoneForm({"phone": typed})
    assert not form.is_valid()
    assert "valid phone number" in form.errors["phone"][0]


def test_the_candidates_admin_form_uses_it(rf):
    model_admin = CandidateAdmin(Candidate, admin.site)
    field = model_admin.formfield_for_dbfield(Candidate._meta.get_field("phone"), rf.get("/"))
    assert isinstance(field, E164PhoneField)


def test_e164_reads_a_typed_number_or_gives_nothing():
    assert e164("(773) 555-0123") == "+17735550123"
    assert e164("not a number") == ""
