"""The rules written once in candidates.models, and where the database spells them again:
the sets of stages and statuses (the partial indexes' conditions must be their sets
exactly, or the query a set serves no longer matches its index), and "an interview ends
after it starts" (the check constraint and the Python check must agree)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from candidates.models import (
    CLOSED_STAGES,
    IN_PROCESS,
    NOT_HELD,
    Application,
    Interview,
    interview_times_validate,
)
from tests.factories import ApplicationFactory


def index(model, name):
    return next(i for i in model._meta.indexes if i.name == name)


def test_an_application_is_either_in_process_or_closed():
    assert set(IN_PROCESS) | set(CLOSED_STAGES) == set(Application.Stage)
    assert not set(IN_PROCESS) & set(CLOSED_STAGES)
    assert IN_PROCESS == (
        Application.Stage.SUBMITTED,
        Application.Stage.INTERVIEWING,
        Application.Stage.OFFER,
    )


def test_an_interview_not_held_was_cancelled_or_a_no_show():
    assert set(NOT_HELD) == {Interview.Status.CANCELLED, Interview.Status.NO_SHOW}


def test_the_interest_spread_indexes_leave_out_the_closed_stages():
    for name in ("application_desk_spread_idx", "application_spread_idx"):
        condition = index(Application, name).condition
        assert condition.negated
        [(lookup, stages)] = condition.children
        assert lookup == "stage__in"
        assert set(stages) == set(CLOSED_STAGES), name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "length",
    [dt.timedelta(hours=1), dt.timedelta(microseconds=1), dt.timedelta(0), -dt.timedelta(hours=1)],
)
def test_the_database_and_the_python_check_agree_on_when_an_interview_may_end(length):
    application = ApplicationFactory()
    starts_at = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)
    ends_at = starts_at + length
    refusals = []
    try:
        interview_times_validate(starts_at=starts_at, ends_at=ends_at)
    except ValidationError as refusal:
        refusals = refusal.messages
    python_allows = not refusals
    try:
        with transaction.atomic():
            Interview.objects.create(
                application=application,
                candidate_owner=application.candidate_owner,
                position_recruiter=application.position.recruiter,
                starts_at=starts_at,
                ends_at=ends_at,
            )
    except IntegrityError:
        database_allows = False
    else:
        database_allows = True
    assert python_allows == database_allows == (length > dt.timedelta(0))
    assert refusals in ([], ["The interview must end after it starts."])
