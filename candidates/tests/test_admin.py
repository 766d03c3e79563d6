"""The plain admin of the ATS records: a save that moves a desk (a candidate's owner, a
position's recruiter) moves the rows on it, through candidates.services."""

import pytest

from candidates.models import Application, Candidate, Interview, Position
from tests.admin_pages import admin_url, form_data, interview_of
from tests.factories import RecruiterFactory

# The pages here show the demo's data.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


# --- desks: who owns a candidate or a position moves their rows on the dashboard ----------


def test_a_new_owner_chosen_for_a_candidate_takes_their_side_to_the_new_desk(recruiter):
    interview = interview_of("Ethan")
    candidate = interview.application.candidate
    new_owner = RecruiterFactory()
    change = admin_url(Candidate, "change", candidate.pk)

    response = recruiter.post(change, {**form_data(recruiter.get(change)), "owner": new_owner.pk})

    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(
        Application.objects.filter(candidate=candidate).values_list("candidate_owner", flat=True)
    ) == {new_owner.pk}
    assert set(
        Interview.objects.filter(application__candidate=candidate).values_list(
            "candidate_owner", flat=True
        )
    ) == {new_owner.pk}
    interview.refresh_from_db()
    assert interview.position_recruiter == interview.application.position.recruiter


def test_a_new_recruiter_chosen_for_a_position_takes_the_clients_side(recruiter):
    interview = interview_of("Ethan")
    position = interview.application.position
    new_recruiter = RecruiterFactory()
    change = admin_url(Position, "change", position.pk)

    response = recruiter.post(
        change, {**form_data(recruiter.get(change)), "recruiter": new_recruiter.pk}
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(
        Interview.objects.filter(application__position=position).values_list(
            "position_recruiter", flat=True
        )
    ) == {new_recruiter.pk}
    interview.refresh_from_db()
    assert interview.candidate_owner == interview.application.candidate.owner
