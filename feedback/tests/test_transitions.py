"""What can be done to an interview, a request or an application is one rule
(feedback.rules): the admin offers exactly what it allows, and the services refuse the
rest. Checked here against the services, for every status."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from candidates.models import Application, Interview
from feedback import rules, services
from feedback.admin.interviews import interview_actions
from feedback.models import FeedbackRequest
from tests.factories import schedule_interview

pytestmark = pytest.mark.django_db

Status = FeedbackRequest.Status
HOUR = dt.timedelta(hours=1)


def interview_in(status: str, interview_end) -> Interview:
    """An interview that ended an hour ago, brought to `status` through the services."""
    with time_machine.travel(interview_end - HOUR, tick=False):
        interview = schedule_interview(ends_at=interview_end)
    if status == Interview.Status.COMPLETED:
        services.interview_mark_completed(interview=interview)
    elif status in (Interview.Status.CANCELLED, Interview.Status.NO_SHOW):
        services.interview_cancel(interview=interview, no_show=status == Interview.Status.NO_SHOW)
    interview.refresh_from_db()
    assert interview.status == status
    return interview


INTERVIEW_SERVICES = {
    "complete": lambda interview: services.interview_mark_completed(interview=interview),
    "reschedule": lambda interview: services.interview_reschedule(
        interview=interview,
        starts_at=interview.starts_at + 24 * HOUR,
        ends_at=interview.ends_at + 24 * HOUR,
    ),
    "no_show": lambda interview: services.interview_cancel(interview=interview, no_show=True),
    "cancel": lambda interview: services.interview_cancel(interview=interview),
}


def accepted(service, target) -> bool:
    """Whether the service accepts the change (which is then rolled back)."""
    try:
        with transaction.atomic():
            service(target)
            transaction.set_rollback(True)
    except ValidationError:
        return False
    except services.FeedbackClosed:
        return False
    return True


@pytest.mark.parametrize("status", Interview.Status.values)
def test_the_services_accept_exactly_the_transitions_the_rule_offers(status, interview_end):
    interview = interview_in(status, interview_end)
    with time_machine.travel(interview_end + HOUR, tick=False):
        done = {
            name for name, service in INTERVIEW_SERVICES.items() if accepted(service, interview)
        }
    assert done == set(rules.interview_transitions(status))
    offered = [url.split("/")[-2] for _label, url in interview_actions(interview, next_to="/")]
    assert offered == [name.replace("_", "-") for name in rules.interview_transitions(status)]


def request_in(status: str, interview_end) -> FeedbackRequest:
    """The candidate's request of an interview that ended at `interview_end`, in `status`."""
    with time_machine.travel(interview_end - HOUR, tick=False):
        interview = schedule_interview(ends_at=interview_end)
    if status != Status.SCHEDULED:
        with time_machine.travel(interview_end, tick=False):
            services.sweep_run()
    if status == Status.OVERDUE:
        with time_machine.travel(interview_end + 3 * HOUR, tick=False):
            services.sweep_run()
    request = interview.feedback_requests.get(party="candidate")
    if status == Status.RECEIVED:
        services.feedback_submit(request=request, answers={"interest_level": 7})
    elif status == Status.CANCELLED:
        services.interview_cancel(interview=interview)
    request.refresh_from_db()
    assert request.status == status
    return request


REQUEST_SERVICES = {
    "log_call": lambda request, actor: services.feedback_log_call(
        request=request, answers={"interest_level": 6}, actor=actor
    ),
    "resend_link": lambda request, actor: services.feedback_request_resend_link(
        request=request, actor=actor
    ),
}


@pytest.mark.parametrize("status", Status.values)
def test_the_services_accept_exactly_the_request_actions_the_rule_offers(
    status, interview_end, admin_user
):
    request = request_in(status, interview_end)
    with time_machine.travel(interview_end + 4 * HOUR, tick=False):
        done = {
            name
            for name, service in REQUEST_SERVICES.items()
            if accepted(lambda r, service=service: service(r, admin_user), request)
        }
    assert done == set(rules.request_allows(status))
    assert accepted(
        lambda r: services.feedback_submit(request=r, answers={"interest_level": 5}), request
    ) == rules.request_takes_answers(status)


@pytest.mark.parametrize("stage", Application.Stage.values)
def test_withdrawing_is_accepted_exactly_where_the_rule_offers_it(stage, interview_end):
    interview = interview_in(Interview.Status.SCHEDULED, interview_end)
    application = interview.application
    Application.objects.filter(pk=application.pk).update(stage=stage)
    assert accepted(
        lambda a: services.application_withdraw(application=a), application
    ) == rules.application_withdrawable(stage)
