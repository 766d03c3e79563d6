"""The sets of stages and statuses written once in candidates.models, and the partial
indexes that spell them again in SQL: each condition must be its set exactly, or the
query it serves no longer matches the index (or, worse, the index no longer matches the
rule)."""

from candidates.models import CLOSED_STAGES, IN_PROCESS, NOT_HELD, Application, Interview


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
