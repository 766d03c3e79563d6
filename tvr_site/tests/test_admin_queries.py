"""Every change list and the dashboard cost the same number of queries with 5 rows as with
100: related rows are joined or prefetched, filters list their choices in one query, and
the big tables are not counted whole."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Application, Client, Recruiter
from clients import selectors as client_selectors
from core import caching
from feedback import selectors
from feedback.models import OutboundMessage
from feedback.tests.desk import HOUR, MINUTE, answer, interview_asked, interview_overdue
from tests.factories import (
    ApplicationFactory,
    RecruiterFactory,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

# name -> (URL, query string); every change list of the recruiter's day, the dashboard
# for one recruiter and for everyone, and the lists of the rest of the loop's rows.
PAGES = {
    "dashboard": ("admin:index", {}),
    "dashboard, everyone": ("admin:index", {"desk": "everyone"}),
    "candidates": ("admin:candidates_candidate_changelist", {}),
    "clients": ("admin:candidates_client_changelist", {}),
    "positions": ("admin:candidates_position_changelist", {}),
    "applications": ("admin:candidates_application_changelist", {}),
    "applications, call list": ("admin:candidates_application_changelist", {"call": "yes"}),
    "interviews": ("admin:candidates_interview_changelist", {}),
    "interviews, next 7 days": ("admin:candidates_interview_changelist", {"when": "next7"}),
    "feedback requests": ("admin:feedback_feedbackrequest_changelist", {}),
    "feedback requests, overdue": ("admin:feedback_feedbackrequest_changelist", {"overdue": "yes"}),
    "answers": ("admin:feedback_feedback_changelist", {}),
    "outbox": ("admin:feedback_outboundmessage_changelist", {}),
    "timeline": ("admin:feedback_timelineevent_changelist", {}),
    "client contacts": ("admin:candidates_clientcontact_changelist", {}),
    "recruiters": ("admin:candidates_recruiter_changelist", {}),
}


def add_stories(dana, *, start: int, count: int, interview_end: dt.datetime) -> None:
    """`count` applications of Dana's candidates, each with its own client, position and
    position recruiter, at every point of the loop: possibly waned with client feedback
    overdue, answered asking for a call, or awaited; each with an interview to come."""
    for n in range(start, start + count):
        application = ApplicationFactory(
            candidate__owner=dana,
            candidate__first_name=f"Candidate{n:03}",
            position__recruiter=RecruiterFactory(),
        )
        ended = interview_end + n * MINUTE
        if n % 3 == 0:
            interview_overdue(ends_at=ended, application=application)
        else:
            interview = interview_asked(ends_at=ended, application=application)
            if n % 3 == 1:
                answer(
                    interview, at=ended + 20 * MINUTE, interest_level=n % 10 + 1, wants_call=True
                )
        with time_machine.travel(interview_end, tick=False):
            schedule_interview(application=application, ends_at=interview_end + 50 * HOUR)


def forget_cached() -> None:
    """The pages compute their cached figures afresh (else the first visit keeps them):
    the dashboards' charts, the client list's in-process counts."""
    cache.delete_many(
        [
            selectors.dashboard_charts_key(None),
            *map(selectors.dashboard_charts_key, Recruiter.objects.all()),
            *(
                caching.key(client_selectors.IN_PROCESS_CACHE, pk)
                for pk in Client.objects.values_list("pk", flat=True)
            ),
        ]
    )


def count_queries(client, page: str) -> tuple[int, int]:
    name, query = PAGES[page]
    forget_cached()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), query)
    assert response.status_code == 200, page
    return len(queries), rows_shown(response)


def rows_shown(response) -> int:
    context = response.context
    if "cl" in context:
        return len(context["cl"].result_list)
    dashboard = context["dashboard"]
    return len(dashboard.call_list) + len(dashboard.awaited)


def test_every_change_list_and_the_dashboard_cost_the_same_with_5_and_100_rows(
    recruiter, interview_end, django_assert_num_queries
):
    dana = recruiter.recruiter  # the signed-in recruiter's desk
    now = interview_end + 49 * HOUR
    add_stories(dana, start=0, count=5, interview_end=interview_end)
    with time_machine.travel(now, tick=False):
        few = {page: count_queries(recruiter, page) for page in PAGES}

    add_stories(dana, start=5, count=95, interview_end=interview_end)
    assert Application.objects.count() == 100
    assert OutboundMessage.objects.count() > 300

    with time_machine.travel(now, tick=False):
        for page, (queries, rows) in few.items():
            name, query = PAGES[page]
            forget_cached()
            with django_assert_num_queries(queries):
                response = recruiter.get(reverse(name), query)
            # The page really shows more rows now (else the comparison proves nothing).
            assert rows_shown(response) > rows, page
    print("\nqueries per page (5 and 100 rows):")
    for page, (queries, _rows) in few.items():
        print(f"  {page:28} {queries}")
