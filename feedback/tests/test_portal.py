"""The answer pages behind signed links: the candidate portal and the client's link.

Each link opens its own request and nothing else; every bad link gets a clear page with a
4xx status; a bad answer is shown again with its error and stored nowhere.
"""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from candidates.models import Application
from feedback import selectors, services, tokens
from feedback.models import Feedback, FeedbackRequest, Party
from feedback.services import interview_cancel
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    link_path,
    request_of,
    schedule_interview,
    token_of,
)

pytestmark = pytest.mark.django_db

RECRUITER_CELL = 'href="tel:+13125550199"'
RECRUITER_OFFICE = 'href="tel:+13125550100"'
VALID = {"interest_level": "8", "still_interested": "yes", "went_well": "Friendly team."}


def _asked_interview(interview_end, **application):
    interview = schedule_interview(
        application=ApplicationFactory(**application), ends_at=interview_end
    )
    services.sweep_run()  # both parties asked: their requests are pending
    return interview


@pytest.fixture
def interview(clock, interview_end):
    return _asked_interview(interview_end)


def portal_path(token: str) -> str:
    return reverse("portal:feedback", kwargs={"token": token})


def client_path(token: str) -> str:
    return reverse("clients:feedback", kwargs={"token": token})


def assert_refused(response):
    assert response.status_code == 404
    assert "We could not open this link" in response.content.decode()


@pytest.mark.parametrize("party", [Party.CANDIDATE, Party.CLIENT])
@pytest.mark.parametrize("script_prefix", ["/", "/tvr/"])
def test_a_mails_link_is_the_one_django_reverses_and_opens_its_request(
    interview, anonymous, party, script_prefix
):
    request = request_of(interview, party)
    name = "portal:feedback" if party == Party.CANDIDATE else "clients:feedback"
    set_script_prefix(script_prefix)
    try:
        link = selectors.feedback_request_link(request=request)
        token = link.rsplit("/", 2)[-2]
        assert link == settings.SITE_URL + reverse(name, kwargs={"token": token})
        assert link.startswith(f"{settings.SITE_URL}{script_prefix}")
    finally:
        set_script_prefix("/")
    assert tokens.token_unsign(party=party, token=token) == str(request.token_key)
    response = anonymous.get(reverse(name, kwargs={"token": token}))
    assert response.status_code == 200


# --- a good link -------------------------------------------------------------------------


def test_a_valid_link_shows_the_form_with_call_links_and_marks_it_opened(interview, anonymous):
    request = request_of(interview, Party.CANDIDATE)
    assert request.status == FeedbackRequest.Status.PENDING
    assert request.opened_at is None

    response = anonymous.get(link_path(request))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Hi {interview.application.candidate.first_name}, how did it go?" in html
    assert RECRUITER_CELL in html
    assert RECRUITER_OFFICE in html
    assert 'name="interest_level"' in html
    assert 'name="still_interested"' in html
    assert "no-store" in response["Cache-Control"]
    request.refresh_from_db()
    assert request.opened_at == timezone.now()


def test_a_valid_answer_is_stored_and_redirects_to_thanks(interview, anonymous):
    request = request_of(interview, Party.CANDIDATE)
    path = link_path(request)

    response = anonymous.post(path, VALID)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:thanks", kwargs={"token": token_of(request)})
    feedback = Feedback.objects.get()
    assert feedback.request == request
    assert feedback.channel == Feedback.Channel.PORTAL
    assert (feedback.interest_level, feedback.still_interested) == (8, "yes")
    assert feedback.went_well == "Friendly team."
    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.RECEIVED
    interview.application.refresh_from_db()
    assert interview.application.interest_status == Application.InterestStatus.HIGH

    thanks = anonymous.get(response["Location"])
    assert thanks.status_code == 200
    assert "8 / 10" in thanks.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"interest_level": "11"}, "interest_level", "11 is not one of the available choices"),
        ({"interest_level": "0"}, "interest_level", "0 is not one of the available choices"),
        ({"interest_level": "abc"}, "interest_level", "abc is not one of the available choices"),
        ({"interest_level": None}, "interest_level", "Please choose a number from 1 to 10."),
        ({"interest_level": ""}, "interest_level", "Please choose a number from 1 to 10."),
        ({"still_interested": None}, "still_interested", "Please tell us yes, not sure or no."),
        ({"still_interested": "maybe"}, "still_interested", "maybe is not one of the available"),
    ],
)
def test_a_bad_answer_is_shown_again_with_its_error_and_not_stored(
    interview, anonymous, change, field, error
):
    request = request_of(interview, Party.CANDIDATE)
    data = {k: v for k, v in {**VALID, **change}.items() if v is not None}

    response = anonymous.post(link_path(request), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert error in response.content.decode()
    assert 'name="interest_level"' in response.content.decode()  # the form, to try again
    assert Feedback.objects.count() == 0
    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.PENDING


def test_an_amendment_keeps_the_first_answer(interview, anonymous, clock):
    request = request_of(interview, Party.CANDIDATE)
    path = link_path(request)
    assert anonymous.post(path, VALID).status_code == 302
    clock.shift(dt.timedelta(minutes=10))

    form = anonymous.get(path)
    assert "Update my answer" in form.content.decode()
    assert anonymous.post(path, {**VALID, "interest_level": "5"}).status_code == 302

    old, new = Feedback.objects.filter(request=request).order_by("submitted_at")
    assert Feedback.objects.count() == 2
    assert (old.interest_level, old.is_current) == (8, False)
    assert (new.interest_level, new.is_current) == (5, True)
    assert new.supersedes == old
    assert "5 / 10" in anonymous.get(f"{path}thanks/").content.decode()


# --- bad links ---------------------------------------------------------------------------


def test_a_tampered_token_is_refused(interview, anonymous):
    request = request_of(interview, Party.CANDIDATE)
    token = token_of(request)
    last = token[-1]
    tampered = token[:-1] + ("A" if last != "A" else "B")

    assert_refused(anonymous.get(portal_path(tampered)))
    assert_refused(anonymous.post(portal_path(tampered), VALID))
    assert_refused(anonymous.get(portal_path(token[: len(token) // 2])))
    assert_refused(anonymous.get(portal_path("not-a-token")))
    assert Feedback.objects.count() == 0
    request.refresh_from_db()
    assert request.opened_at is None


def test_a_token_edited_by_one_character_to_another_request_is_refused(
    interview, anonymous, interview_end
):
    mine = request_of(interview, Party.CANDIDATE)
    other = request_of(_asked_interview(interview_end), Party.CANDIDATE)
    # Give the other request a key one character away from mine, then edit my token to it.
    key = str(mine.token_key)
    other_key = key[:-1] + ("0" if key[-1] != "0" else "1")
    FeedbackRequest.objects.filter(pk=other.pk).update(token_key=other_key)
    other.refresh_from_db()
    token = token_of(mine)
    assert token.startswith(key + ":")
    edited = other_key + token[len(key) :]

    assert anonymous.get(portal_path(token_of(other))).status_code == 200  # a real request
    assert_refused(anonymous.get(portal_path(edited)))
    assert_refused(anonymous.post(portal_path(edited), VALID))
    assert Feedback.objects.count() == 0


def test_a_properly_signed_unknown_key_is_refused(interview, anonymous):
    token = tokens.token_make(party=Party.CANDIDATE, token_key=uuid.uuid4())
    assert_refused(anonymous.get(portal_path(token)))
    assert_refused(anonymous.post(portal_path(token), VALID))
    assert Feedback.objects.count() == 0


def test_an_expired_link_says_so_and_shows_the_recruiters_phone(interview, anonymous, clock):
    request = request_of(interview, Party.CANDIDATE)
    path = link_path(request)
    clock.shift(settings.PORTAL_LINK_MAX_AGE - dt.timedelta(minutes=1))
    assert anonymous.get(path).status_code == 200  # still valid just before the limit

    clock.shift(dt.timedelta(minutes=2))
    response = anonymous.get(path)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert RECRUITER_CELL in html
    assert RECRUITER_OFFICE in html
    assert anonymous.post(path, VALID).status_code == 410
    assert Feedback.objects.count() == 0


def test_a_cancelled_interviews_link_needs_no_answer(interview, anonymous):
    request = request_of(interview, Party.CANDIDATE)
    path = link_path(request)
    interview_cancel(interview=interview)

    response = anonymous.get(path)
    assert response.status_code == 410
    assert "No feedback needed" in response.content.decode()
    assert anonymous.post(path, VALID).status_code == 410
    assert Feedback.objects.count() == 0


def test_a_link_opens_only_its_own_partys_page(interview, anonymous):
    candidate_token = token_of(request_of(interview, Party.CANDIDATE))
    client_token = token_of(request_of(interview, Party.CLIENT))
    assert anonymous.get(portal_path(candidate_token)).status_code == 200
    assert anonymous.get(client_path(client_token)).status_code == 200

    assert_refused(anonymous.get(client_path(candidate_token)))
    assert_refused(anonymous.get(portal_path(client_token)))
    assert_refused(anonymous.post(client_path(candidate_token), {"decision": "decline"}))
    assert_refused(anonymous.post(portal_path(client_token), VALID))
    assert Feedback.objects.count() == 0


def test_each_link_opens_only_its_own_request(clock, interview_end, anonymous):
    first = _asked_interview(
        interview_end,
        candidate=CandidateFactory(first_name="Imogen", last_name="Okafor"),
        position__client__name="Northshore Veterinary Specialists",
    )
    second = _asked_interview(
        interview_end,
        candidate=CandidateFactory(first_name="Rafael", last_name="Lindqvist"),
        position__client__name="Prairie Paws Clinic",
    )
    for mine, theirs in ((first, second), (second, first)):
        html = anonymous.get(link_path(request_of(mine, Party.CANDIDATE))).content.decode()
        assert mine.application.candidate.first_name in html
        assert theirs.application.candidate.first_name not in html
        assert theirs.application.position.client.name not in html
        html = anonymous.get(link_path(request_of(mine, Party.CLIENT))).content.decode()
        assert mine.application.candidate.full_name in html
        assert theirs.application.candidate.full_name not in html

    assert anonymous.post(link_path(request_of(first, Party.CANDIDATE)), VALID).status_code == 302
    assert Feedback.objects.get().request == request_of(first, Party.CANDIDATE)
    assert request_of(second, Party.CANDIDATE).status == FeedbackRequest.Status.PENDING


# --- the client's link -------------------------------------------------------------------


def test_the_client_link_stores_the_decision_and_rating(interview, anonymous):
    request = request_of(interview, Party.CLIENT)
    path = link_path(request)
    assert path.startswith("/clients/feedback/")
    form = anonymous.get(path)
    assert form.status_code == 200
    assert interview.application.candidate.full_name in form.content.decode()

    bad = anonymous.post(path, {"decision": "advance", "rating": "6"})
    assert bad.status_code == 200
    assert "rating" in bad.context["form"].errors
    assert Feedback.objects.count() == 0

    response = anonymous.post(
        path, {"decision": "advance", "rating": "4", "strengths": "Calm in an emergency."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:thanks", kwargs={"token": token_of(request)})
    feedback = Feedback.objects.get()
    assert feedback.request == request
    assert (feedback.decision, feedback.rating) == ("advance", 4)
    assert feedback.strengths == "Calm in an emergency."
    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.RECEIVED
    assert request_of(interview, Party.CANDIDATE).status == FeedbackRequest.Status.PENDING
    thanks = anonymous.get(response["Location"]).content.decode()
    assert "Advance" in thanks
    assert "4 / 5" in thanks
