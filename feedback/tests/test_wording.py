"""The agency's wording: editing a message changes the next one sent; a broken or unsafe
template is refused on save with the error; the text reaches plain values only; reset
brings the shipped text back; the preview writes a real request; and only recruiters
reach the pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode

from feedback import services
from feedback.models import MessageWording, OutboundMessage
from feedback.services import wording as wording_services
from feedback.wording.catalog import MESSAGES
from feedback.wording.engine import wording_error
from feedback.wording.rendering import shipped_source
from tests import personas
from tests.factories import UserFactory

from .desk import candidate_ask

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:feedback_messagewording_changelist"


def send(message: OutboundMessage) -> OutboundMessage:
    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    message.refresh_from_db()
    return message


def preview_url(key: str) -> str:
    return reverse("admin:feedback_messagewording_preview") + "?" + urlencode({"key": key})


def add_url(key: str) -> str:
    return reverse("admin:feedback_messagewording_add") + "?" + urlencode({"key": key})


@pytest.mark.parametrize("wording", MESSAGES, ids=lambda w: w.key)
def test_every_shipped_text_is_a_template_an_author_could_save(wording):
    for part in wording.parts:
        assert wording_error(shipped_source(key=wording.key, part=part)) is None


def test_an_edit_in_the_admin_changes_the_next_message(asked, recruiter, smtp_mail):
    response = recruiter.post(
        add_url("candidate_request"),
        {
            "key": "candidate_request",
            "subject": "Quick one, {{ candidate.first_name }}",
            "body_text": "{{ candidate.first_name }}, how did it go? {{ link }}",
            "body_html": "<p>{{ candidate.first_name }}, how did it go?</p>",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate = asked.application.candidate
    message = send(candidate_ask())
    assert message.subject == f"Quick one, {candidate.first_name}"
    assert message.body_text.startswith(f"{candidate.first_name}, how did it go? http")
    assert f"<p>{candidate.first_name}, how did it go?</p>" in message.body_html
    # Still inside the mail's layout, which is ours.
    assert message.body_html.startswith("<!doctype html>")
    (mail,) = smtp_mail.messages
    assert mail["Subject"] == message.subject
    assert MessageWording.objects.get().updated_by == recruiter.user


def test_a_part_left_as_shipped_follows_the_shipped_file(asked):
    wording_services.message_wording_save(
        key="candidate_request",
        sources={
            "subject": "Hello {{ candidate.first_name }}",
            "body_text": shipped_source(key="candidate_request", part="body_text"),
            "body_html": "",
        },
    )
    row = MessageWording.objects.get()
    assert (row.body_text, row.body_html) == ("", "")
    message = send(candidate_ask())
    assert message.subject == f"Hello {asked.application.candidate.first_name}"
    assert "It takes a minute on your phone" in message.body_text


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ('{% include "feedback/email/base.html" %}', "'include'"),
        ('{% extends "feedback/email/base.html" %}', "'extends'"),
        ("{% load static %}", "'load'"),
        ("{% debug %}", "'debug'"),
        ('{% ssi "/etc/passwd" %}', "'ssi'"),
        ("{% url 'admin:index' %}", "'url'"),
        ("{% if %}x{% endif %}", "if tag"),
        ("{% for x in y %}", "endfor"),
        ("{{ candidate.first_name|no_such_filter }}", "no_such_filter"),
        ("{{ candidate|pprint }}", "pprint"),
        ("{{ candidate.__class__ }}", "underscores"),
    ],
)
def test_a_broken_or_unsafe_template_is_refused_on_save(source, error):
    with pytest.raises(ValidationError) as refused:
        wording_services.message_wording_save(
            key="candidate_request", sources={"subject": "Hi", "body_text": source}
        )
    assert error in refused.value.message_dict["body_text"][0]
    assert not MessageWording.objects.exists()


def test_the_admin_shows_why_a_template_is_refused_and_saves_nothing(recruiter):
    response = recruiter.post(
        add_url("client_reminder"),
        {"key": "client_reminder", "subject": "{% include 'x.html' %}", "body_text": "ok"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This template cannot be used" in html
    assert "Invalid block tag on line 1: &#x27;include&#x27;" in html
    assert not MessageWording.objects.exists()


def test_the_text_cannot_reach_other_data(asked):
    candidate = asked.application.candidate
    secret = candidate.owner.user.password
    assert secret
    reaching = (
        "[{{ request.candidate.owner.user.password }}"
        "{{ candidate.owner.user.password }}{{ recruiter.user.password }}"
        "{{ request.token_key }}{{ interview.application.candidate.email }}"
        "{{ position.client.contacts.all }}"
        "{% for c in candidate.owner.candidates.all %}{{ c.email }}{% endfor %}]"
        "{{ candidate.first_name }}"
    )
    wording_services.message_wording_save(
        key="candidate_request", sources={"subject": "Hi", "body_text": reaching}
    )
    message = send(candidate_ask())
    assert message.body_text == f"[]{candidate.first_name}"
    assert secret not in message.body_text


def test_reset_brings_the_shipped_text_back(asked, recruiter):
    wording_services.message_wording_save(
        key="candidate_request", sources={"subject": "Ours", "body_text": "Ours"}
    )
    reset = reverse("admin:feedback_messagewording_reset") + "?key=candidate_request"
    assert recruiter.get(reset).status_code == 200
    assert MessageWording.objects.exists()  # a GET only asks
    response = recruiter.post(reset)
    assert response.status_code == 302
    assert not MessageWording.objects.exists()
    message = send(candidate_ask())
    assert "Thank you for interviewing" in message.body_text


def test_the_preview_writes_the_unsaved_text_on_a_real_request(asked, recruiter):
    candidate = asked.application.candidate
    response = recruiter.post(
        preview_url("candidate_reminder"),
        {"subject": "Still there, {{ candidate.first_name }}?", "body_text": "{{ link }}"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Still there, {candidate.first_name}?" in html
    assert "/portal/f/" in html
    # The variables it may use, with their values on that request.
    assert "candidate.first_name" in html
    assert "recruiter.cell_phone" in html
    assert not MessageWording.objects.exists()


def test_the_preview_of_the_wording_in_force_and_of_a_broken_text(asked, recruiter):
    html = recruiter.get(preview_url("client_invite")).content.decode()
    assert asked.application.candidate.full_name in html
    assert "short feedback request will follow" in html
    broken = recruiter.post(preview_url("client_invite"), {"subject": "{% if %}"})
    assert broken.status_code == 200
    assert "This text cannot be used" in broken.content.decode()


def test_the_list_shows_every_message_and_the_form_starts_from_the_shipped_text(recruiter):
    html = recruiter.get(reverse(CHANGELIST)).content.decode()
    for wording in MESSAGES:
        assert wording.label in html
    form = recruiter.get(add_url("candidate_request")).content.decode()
    assert "It takes a minute on your phone" in form
    invite_form = recruiter.get(add_url("candidate_invite")).content.decode()
    assert 'name="body_html"' not in invite_form


def test_an_unknown_message_is_a_404(recruiter):
    assert recruiter.get(preview_url("nobody_nothing")).status_code == 404
    response = recruiter.post(reverse("admin:feedback_messagewording_reset") + "?key=x")
    assert response.status_code == 404


def test_staff_without_the_recruiter_role_get_403(db):
    staff = personas.signed_in_to_the_admin(
        "staff without the role", UserFactory(username="plain-staff", is_staff=True)
    )
    for url in (
        reverse(CHANGELIST),
        add_url("candidate_request"),
        preview_url("candidate_request"),
    ):
        assert staff.get(url).status_code == 403
    assert staff.post(preview_url("candidate_request"), {"subject": "x"}).status_code == 403


def test_the_html_preview_frame_shows_the_wording_in_force(asked, recruiter):
    wording_services.message_wording_save(
        key="candidate_request",
        sources={"subject": "x", "body_html": "<p>Ours, {{ candidate.first_name }}</p>"},
    )
    page = recruiter.get(preview_url("candidate_request")).content.decode()
    frame = reverse("admin:feedback_messagewording_preview_html") + "?key=candidate_request"
    assert f'src="{frame.replace("&", "&amp;")}"' in page
    response = recruiter.get(frame)
    assert response.status_code == 200
    assert f"<p>Ours, {asked.application.candidate.first_name}</p>" in response.content.decode()
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert recruiter.get(frame.replace("candidate_request", "candidate_invite")).status_code == 404
