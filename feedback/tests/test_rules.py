"""feedback.rules: the interest bands, the debrief reasons, "past the deadline", and the
sets of request statuses with the partial indexes on FeedbackRequest that spell them
again in SQL (each index's condition must be its set exactly, or the query it serves no
longer uses it, or it no longer covers the rule)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from feedback.models import Feedback, FeedbackRequest
from feedback.rules import (
    ACTIVE_STATUSES,
    AWAITED_STATUSES,
    HIGH_INTEREST_FROM,
    OPEN_STATUSES,
    debrief_reason_for,
    interest_band_for,
    interest_status_for,
    past_the_deadline,
)
from tests.factories import request_of, schedule_interview

Status = FeedbackRequest.Status


def statuses_of(index_name: str) -> set[str]:
    """The statuses an index's condition keeps (its `status__in` values)."""
    index = next(i for i in FeedbackRequest._meta.indexes if i.name == index_name)
    [statuses] = [value for lookup, value in index.condition.children if lookup == "status__in"]
    return set(statuses)


def test_the_sets_of_request_statuses():
    assert set(OPEN_STATUSES) == {Status.SCHEDULED, Status.PENDING, Status.OVERDUE}
    assert set(AWAITED_STATUSES) == {Status.PENDING, Status.OVERDUE}
    assert set(ACTIVE_STATUSES) == {Status.SCHEDULED, Status.PENDING}


def test_each_partial_index_keeps_the_statuses_of_the_rule_it_serves():
    assert statuses_of("feedback_request_sweep_idx") == set(ACTIVE_STATUSES)
    assert statuses_of("feedback_request_client_idx") == set(AWAITED_STATUSES)
    assert statuses_of("feedback_request_desk_cli_idx") == set(AWAITED_STATUSES)
    assert statuses_of("feedback_request_pos_open_idx") == set(OPEN_STATUSES)


def test_an_interest_levels_band_and_what_an_answer_says():
    assert [interest_band_for(level) for level in range(1, 11)] == [
        *["low"] * 4,
        *["moderate"] * 3,
        *["high"] * 3,
    ]
    assert interest_band_for(None) == "unknown"
    assert interest_status_for(level=9, still_interested="no") == "not_interested"
    assert interest_status_for(level=9, still_interested="unsure") == "high"
    # The dashboard's colours read the same rule.
    assert (
        Template("{% load recruiter_desk %}{{ level|interest_band }}").render(
            Context({"level": HIGH_INTEREST_FROM})
        )
        == "high"
    )


@pytest.mark.django_db
def test_past_the_deadline_is_overdue_or_pending_with_the_deadline_gone():
    now = timezone.now() + dt.timedelta(days=30)  # past every request's ask and reminder
    hour = dt.timedelta(hours=1)
    cases = {
        (Status.OVERDUE, now + hour): True,  # marked overdue: past it, whatever the date says
        (Status.PENDING, now - hour): True,  # the sweep is about to mark it
        (Status.PENDING, now + hour): False,
        (Status.SCHEDULED, now - hour): False,  # not asked yet
        (Status.RECEIVED, now - hour): False,
        (Status.CANCELLED, now - hour): False,
    }
    made = {}
    for (status, due_at), expected in cases.items():
        request = request_of(schedule_interview())
        FeedbackRequest.objects.filter(pk=request.pk).update(status=status, due_at=due_at)
        made[request.pk] = expected
    late = set(
        FeedbackRequest.objects.filter(past_the_deadline(now=now)).values_list("pk", flat=True)
    )
    assert {pk: pk in late for pk in made} == made


@pytest.mark.parametrize(
    ("level", "still_interested", "expected"),
    [
        (10, "yes", "high"),
        (8, "yes", "high"),
        (7, "yes", "moderate"),
        (5, "unsure", "moderate"),
        (4, "unsure", "low"),
        (1, "yes", "low"),
        (9, "no", "not_interested"),
        (None, "unsure", "unknown"),
    ],
)
def test_interest_bands(level, still_interested, expected):
    assert interest_status_for(level=level, still_interested=still_interested) == expected


@pytest.mark.parametrize(
    ("level", "still", "decision", "expected"),
    [
        (5, "yes", "advance", "the client advances, but the candidate's interest is 5/10"),
        (1, "unsure", "advance", "the client advances, but the candidate's interest is 1/10"),
        (
            9,
            "no",
            "advance",
            "the client advances, but the candidate is no longer interested (9/10)",
        ),
        (None, "no", "advance", "the client advances, but the candidate is no longer interested"),
        (8, "yes", "decline", "the candidate's interest is 8/10, but the client declines"),
        (10, "unsure", "decline", "the candidate's interest is 10/10, but the client declines"),
        (6, "yes", "advance", ""),
        (None, "yes", "advance", ""),
        (7, "yes", "decline", ""),
        (9, "no", "decline", ""),  # both say no: they agree
        (2, "yes", "hold", ""),
        (9, "yes", "hold", ""),
    ],
)
def test_the_debrief_reason_for_two_answers(level, still, decision, expected):
    candidate = Feedback(interest_level=level, still_interested=still)
    client = Feedback(decision=decision)
    assert debrief_reason_for(candidate=candidate, client=client) == expected
