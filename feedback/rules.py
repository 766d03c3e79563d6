"""The loop's pure rules: what an answer means and what may be shown to whom.

Plain values and functions of values, no database query: the services, the selectors and
the client pages all read a rule from here, so that it is decided in one place.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from candidates.models import CLOSED_STAGES, NOT_HELD, Application, Interview

from .models import Feedback, FeedbackRequest

Status = FeedbackRequest.Status

# --- requests ---------------------------------------------------------------------------
#
# The sets of request statuses the loop, the dashboard, the admin and the client pages
# read. The partial indexes on FeedbackRequest spell some of them in SQL; a test
# (feedback/tests/test_rules.py) holds each index's condition to its set here.

# A request that still waits for an answer: cancelling an interview settles these, and an
# ask or a reminder for a request in any other state has lost its point.
OPEN_STATUSES = (Status.SCHEDULED, Status.PENDING, Status.OVERDUE)

# Of those, the ones asked already: an answer is awaited (before or after the deadline).
AWAITED_STATUSES = tuple(status for status in OPEN_STATUSES if status != Status.SCHEDULED)

# A request the sweep still has a step for: to ask, to remind, or to give up at the
# deadline.
ACTIVE_STATUSES = (Status.SCHEDULED, Status.PENDING)


def past_the_deadline(*, now: datetime) -> Q:
    """A request past its deadline: marked overdue, or still pending with its deadline
    gone (the sweep is about to mark it). The dashboard's "client feedback overdue" and the
    request list's "overdue" filter both read it. A condition on the request row alone."""
    return Q(status=Status.OVERDUE) | Q(status=Status.PENDING, due_at__lt=now)


# An ask that goes out later than this (quiet hours, downtime, an interview entered after
# the fact) moves the reminder and the deadline with it: a party always gets the
# policy's full window counted from the moment they were asked.
CATCH_UP_GRACE = timedelta(minutes=5)

# --- interest ---------------------------------------------------------------------------

# A candidate's interest level (1–10) from which it is high, or moderate; below, low.
# Every reader of a level's band (the interest an answer sets, the band the client sees,
# the dashboard's chart and its colours) goes through interest_band_for.
HIGH_INTEREST_FROM = 8
MODERATE_INTEREST_FROM = 5


def interest_band_for(level: int | None) -> str:
    """The band of an interest level, as an Application.InterestStatus: high from
    HIGH_INTEREST_FROM, moderate from MODERATE_INTEREST_FROM, else low; unknown without
    a level."""
    if level is None:
        return Application.InterestStatus.UNKNOWN
    if level >= HIGH_INTEREST_FROM:
        return Application.InterestStatus.HIGH
    if level >= MODERATE_INTEREST_FROM:
        return Application.InterestStatus.MODERATE
    return Application.InterestStatus.LOW


def interest_status_for(*, level: int | None, still_interested: str) -> str:
    """The interest an answer says: its level's band, but a plain "no" means not
    interested whatever the level."""
    if still_interested == Feedback.StillInterested.NO:
        return Application.InterestStatus.NOT_INTERESTED
    return interest_band_for(level)


# --- what the client may see ------------------------------------------------------------

# What of a candidate's answer the recruiter may share with the client, in the order the
# client pages show it; Feedback.shared_with_client holds a subset.
CLIENT_SHAREABLE_PARTS = (
    "interest_band",
    "interest_level",
    "still_interested",
    "went_well",
    "concerns",
    "questions",
)
# Shared with the client until the recruiter says otherwise.
DEFAULT_SHARED_WITH_CLIENT = ["interest_band"]

# --- two-sided debrief ------------------------------------------------------------------

# The client advancing a candidate whose interest is this or less calls for a debrief.
DEBRIEF_ADVANCED_INTEREST_AT_MOST = 5


def debrief_reason_for(*, candidate: Feedback, client: Feedback) -> str:
    """Why the recruiter should call both sides about an interview, or "" if they agree:
    the client advances a candidate whose interest is DEBRIEF_ADVANCED_INTEREST_AT_MOST
    or less (or who said no), or declines one whose interest is high."""
    level = candidate.interest_level
    if client.decision == Feedback.Decision.ADVANCE:
        if candidate.still_interested == Feedback.StillInterested.NO:
            return "the client advances, but the candidate is no longer interested" + (
                f" ({level}/10)" if level else ""
            )
        if level is not None and level <= DEBRIEF_ADVANCED_INTEREST_AT_MOST:
            return f"the client advances, but the candidate's interest is {level}/10"
    if (
        client.decision == Feedback.Decision.DECLINE
        and level is not None
        and level >= HIGH_INTEREST_FROM
        and candidate.still_interested != Feedback.StillInterested.NO
    ):
        return f"the candidate's interest is {level}/10, but the client declines"
    return ""


# --- what can be done, by status --------------------------------------------------------
#
# The admin offers exactly these, and the services refuse anything else: one rule, read
# by both.

# What can be done to an interview in each status, in the order the pages offer it: a
# scheduled one is completed, rescheduled, marked no-show or cancelled; a completed one
# (e.g. marked so early) can still be rescheduled, marked no-show or cancelled; a
# cancelled or no-show one is settled.
INTERVIEW_TRANSITIONS = {
    Interview.Status.SCHEDULED: ("complete", "reschedule", "no_show", "cancel"),
    Interview.Status.COMPLETED: ("reschedule", "no_show", "cancel"),
    **dict.fromkeys(NOT_HELD, ()),
}


def interview_transitions(status: str) -> tuple[str, ...]:
    """What can be done to an interview in this status (names as in INTERVIEW_TRANSITIONS)."""
    return INTERVIEW_TRANSITIONS[status]


def request_takes_answers(status: str) -> bool:
    """A request takes an answer (or an amendment, or a logged call) unless its interview
    was cancelled: then no feedback is needed."""
    return status != Status.CANCELLED


def request_allows(status: str) -> tuple[str, ...]:
    """What a recruiter can do to a feedback request in this status, in the order the
    pages offer it: log a call unless it is cancelled, send a new link while an answer is
    awaited (asked and not answered)."""
    allowed = []
    if request_takes_answers(status):
        allowed.append("log_call")
    if status in AWAITED_STATUSES:
        allowed.append("resend_link")
    return tuple(allowed)


def application_withdrawable(stage: str) -> bool:
    """An application can be withdrawn until it is closed (hired, rejected, withdrawn)."""
    return stage not in CLOSED_STAGES
