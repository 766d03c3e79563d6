"""What a portal answer costs the database: the statements of one POST, pinned, so that
the answer path cannot quietly grow back (docs/benchmarks.md, "Answer path").

Counted inside the test's transaction, so each atomic block adds a SAVEPOINT and its
RELEASE (the answer's block); a site running in autocommit sends neither."""

import pytest

from feedback import services
from feedback.models import Feedback, OutboundMessage, Party
from tests.factories import ApplicationFactory, link_path, request_of, schedule_interview

pytestmark = pytest.mark.django_db

VALID = {"interest_level": "8", "still_interested": "yes", "went_well": "Friendly team."}

# The request found by the link's key and locked in one read, with its interview and
# desk; the application locked, both sides' current answers; then the writes (answer,
# request, queued asks, timeline, interest, recruiter's notice) and the reads of the
# webhooks wanted and of a notice already queued.
FIRST_ANSWER = 11 + 2
# An amendment also counts the link's recent answers and retires the previous one; it
# does not settle the request again, finds the notice queued, and no webhook event type
# is an amendment's.
AMENDMENT = FIRST_ANSWER + 2 - 3


@pytest.fixture
def asked(clock, interview_end):
    interview = schedule_interview(application=ApplicationFactory(), ends_at=interview_end)
    services.sweep_run()
    return request_of(interview, Party.CANDIDATE)


def test_a_portal_answer_costs_a_fixed_number_of_statements(
    asked, anonymous, django_assert_num_queries
):
    with django_assert_num_queries(FIRST_ANSWER):
        response = anonymous.post(link_path(asked), VALID)

    assert response.status_code == 302
    assert Feedback.objects.filter(request=asked, is_current=True).count() == 1
    assert OutboundMessage.objects.filter(
        request=asked, kind=OutboundMessage.Kind.FEEDBACK_RECEIVED
    ).exists()


def test_an_amendment_costs_a_fixed_number_of_statements(
    asked, anonymous, clock, django_assert_num_queries
):
    anonymous.post(link_path(asked), VALID)

    with django_assert_num_queries(AMENDMENT):
        response = anonymous.post(link_path(asked), {**VALID, "interest_level": "5"})

    assert response.status_code == 302
    assert Feedback.objects.filter(request=asked).count() == 2
