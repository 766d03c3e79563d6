"""Helpers for the tests of the loop and the recruiter's pages: interviews brought to each
point of the loop through the real services (with frozen time), and the sweep at a
moment."""

import datetime as dt

import time_machine

from feedback import selectors, services
from feedback.models import OutboundMessage, Party
from tests.factories import ApplicationFactory, request_of, schedule_interview

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def sweep_at(moment: dt.datetime):
    """The sweep, run at `moment`."""
    with time_machine.travel(moment, tick=False):
        return services.sweep_run()


def interview_asked(*, ends_at: dt.datetime, application=None, **kwargs):
    """An interview that ended at `ends_at`, both parties asked on time by the sweep."""
    with time_machine.travel(ends_at - 2 * HOUR, tick=False):
        interview = schedule_interview(application=application, ends_at=ends_at, **kwargs)
    with time_machine.travel(ends_at, tick=False):
        services.sweep_run()
    return interview


def interview_overdue(*, ends_at: dt.datetime, application=None):
    """Asked, reminded, and past both deadlines: interest "possibly waned"."""
    interview = interview_asked(ends_at=ends_at, application=application)
    policy = selectors.policy_get()
    with time_machine.travel(ends_at + policy.candidate_remind_after + MINUTE, tick=False):
        services.sweep_run()
    with time_machine.travel(ends_at + policy.client_deadline_after + MINUTE, tick=False):
        services.sweep_run()
    return interview


def answer(interview, *, at: dt.datetime, party: str = Party.CANDIDATE, **answers):
    with time_machine.travel(at, tick=False):
        return services.feedback_submit(request=request_of(interview, party), answers=answers)


def application_for(recruiter, **kwargs):
    """An application of `recruiter`'s candidate, for a position they also handle."""
    return ApplicationFactory(candidate__owner=recruiter, **kwargs)


def candidate_ask() -> OutboundMessage:
    """The ask to the candidate (the sweep queued it): the only one in the outbox."""
    return OutboundMessage.objects.get(kind="request", request__party="candidate")
