"""A client's responsiveness is one rule spelt twice (clients.selectors): in SQL on
PostgreSQL, in Python elsewhere. Over the same requests both must give the same figures,
whatever mix of answers, asks, deadlines and interviews not held they cover."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from clients import selectors
from clients.selectors import responsiveness
from feedback.models import FeedbackRequest, Party
from feedback.services import interview_cancel
from tests.factories import ApplicationFactory, schedule_interview

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL spelling is PostgreSQL's"
    ),
]

H = dt.timedelta(hours=1)
DAY = 24 * H


def client_request(application, *, ended_ago, asked_after=None, answered_after=None, now):
    """The client request of an interview of `application` that ended `ended_ago` (the
    deadline is the policy's 48 h after), asked and answered after the end as given."""
    ended = now - ended_ago
    interview = schedule_interview(application=application, ends_at=ended)
    request = interview.feedback_requests.get(party=Party.CLIENT)
    FeedbackRequest.objects.filter(pk=request.pk).update(
        status=FeedbackRequest.Status.PENDING,
        asked_at=None if asked_after is None else ended + asked_after,
    )
    if answered_after is not None:
        FeedbackRequest.objects.filter(pk=request.pk).update(
            status=FeedbackRequest.Status.RECEIVED, received_at=ended + answered_after
        )
    return interview


@pytest.mark.parametrize("answers", ["odd", "even"])
def test_the_sql_and_the_python_spelling_give_the_same_figures(answers):
    now = timezone.now()
    application = ApplicationFactory()
    client = application.position.client
    cases = [
        dict(ended_ago=10 * DAY, asked_after=0 * H, answered_after=2 * H),  # on time
        dict(ended_ago=20 * DAY, asked_after=4 * H, answered_after=10 * H),  # asked late
        dict(ended_ago=30 * DAY, asked_after=0 * H, answered_after=60 * H),  # past deadline
        dict(ended_ago=40 * DAY, asked_after=None, answered_after=3 * H),  # never asked
        dict(ended_ago=50 * DAY, asked_after=5 * H, answered_after=1 * H),  # before the ask
        dict(ended_ago=5 * DAY, asked_after=0 * H),  # no answer, deadline passed
        dict(ended_ago=1 * DAY, asked_after=0 * H),  # no answer, not due yet
        dict(ended_ago=100 * DAY, asked_after=0 * H, answered_after=1 * H),  # out of window
    ]
    if answers == "even":
        cases.append(dict(ended_ago=60 * DAY, asked_after=0 * H, answered_after=7 * H))
    for case in cases:
        client_request(application, now=now, **case)
    for no_show in (False, True):  # interviews not held count for nothing
        held_not = client_request(
            application, ended_ago=3 * DAY, asked_after=0 * H, answered_after=H, now=now
        )
        interview_cancel(interview=held_not, no_show=no_show)
    client_request(ApplicationFactory(), ended_ago=DAY, answered_after=H, now=now)  # another's

    rows = responsiveness._responsiveness_rows(client=client, now=now)
    in_sql = responsiveness._responsiveness_in_sql(rows, now=now)
    in_python = responsiveness._responsiveness_in_python(rows, now=now)

    assert in_sql == in_python
    answered = 6 if answers == "even" else 5
    assert (in_python.answered, in_python.settled) == (answered, answered + 1)
    assert in_python.median == (3 * H if answers == "odd" else 4.5 * H)
    assert selectors.client_responsiveness(client=client, now=now) == in_sql
