"""The recruiter's "feedback received": one message for a burst of answers, written when it
is sent from the answer current then; an answer after it went gets a message of its own.
(The same through the real worker: tests/test_loop_integration.py.)"""

import datetime as dt

import pytest

from feedback import services
from feedback.models import OutboundMessage
from tests.factories import ApplicationFactory, request_of, schedule_interview

pytestmark = pytest.mark.django_db

NOTICE = OutboundMessage.Kind.FEEDBACK_RECEIVED


@pytest.fixture
def request_asked(clock, interview_end, settings):
    settings.FEEDBACK = {
        **settings.FEEDBACK,
        "ANSWER_NOTICE_DELAY": dt.timedelta(minutes=2),
        "ANSWERS_PER_LINK": 20,
    }
    interview = schedule_interview(application=ApplicationFactory(), ends_at=interview_end)
    services.sweep_run()
    return request_of(interview)


def amend(request, level: int):
    return services.feedback_submit(
        request=request,
        answers={"interest_level": level, "still_interested": "yes", "went_well": f"Take {level}"},
    )


def deliver_due() -> list[str]:
    """What a worker does with the notices once they are due (the sweep's re-dispatch)."""
    due = list(
        OutboundMessage.objects.filter(
            kind=NOTICE, status=OutboundMessage.Status.QUEUED
        ).values_list("pk", flat=True)
    )
    return services.outbox_deliver(message_ids=due) if due else []


def test_ten_amendments_in_quick_succession_give_one_mail_with_the_last_answer(
    request_asked, clock, mailoutbox
):
    for level in range(1, 11):
        amend(request_asked, level)
        clock.shift(dt.timedelta(seconds=1))

    [notice] = OutboundMessage.objects.filter(kind=NOTICE)
    assert notice.body_text == ""  # written when it is sent
    assert deliver_due() == ["skipped"]  # not due yet: the window is still open

    clock.shift(dt.timedelta(minutes=2))
    assert deliver_due() == ["sent"]

    [mail] = mailoutbox
    assert "10/10" in mail.subject
    assert "Take 10" in mail.body
    assert "Take 9" not in mail.body
    assert "amended" in mail.body


def test_an_amendment_after_the_mail_went_gets_a_second_mail(request_asked, clock, mailoutbox):
    amend(request_asked, 8)
    clock.shift(dt.timedelta(minutes=2))
    assert deliver_due() == ["sent"]

    amend(request_asked, 3)
    clock.shift(dt.timedelta(minutes=2))
    assert deliver_due() == ["sent"]

    assert OutboundMessage.objects.filter(kind=NOTICE).count() == 2
    first, second = mailoutbox
    assert "8/10" in first.subject
    assert "3/10" in second.subject
    assert "Take 3" in second.body


def test_a_notice_claimed_by_a_worker_is_not_reused_by_the_next_answer(request_asked):
    amend(request_asked, 8)
    notice = OutboundMessage.objects.get(kind=NOTICE)
    OutboundMessage.objects.filter(pk=notice.pk).update(status=OutboundMessage.Status.SENDING)

    amend(request_asked, 4)

    assert OutboundMessage.objects.filter(kind=NOTICE).count() == 2
