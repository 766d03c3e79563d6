"""Several sweeps and workers at once, and answers racing the deadline.

Real threads, each with its own database connection, against the configured database
(PostgreSQL in CI: row locks with SKIP LOCKED; SQLite: serialised writers). Committed
data (transactional tests), because each thread sees only what others committed.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from candidates.models import Application
from feedback import services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, TimelineEvent
from tests.factories import ApplicationFactory, RecruiterFactory, schedule_interview

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*functions):
    """Start every function on its own thread at the same instant; re-raise any error."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def runner(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_sweeps_at_once_ask_each_party_exactly_once(no_quiet_hours, smtp_mail):
    recruiter = RecruiterFactory()
    ended = timezone.now() - dt.timedelta(seconds=30)
    interviews = [
        schedule_interview(
            application=ApplicationFactory(candidate__owner=recruiter), ends_at=ended
        )
        for _ in range(60)
    ]

    first, second = run_at_once(
        lambda: services.sweep_run(batch_size=10), lambda: services.sweep_run(batch_size=10)
    )

    assert first.asked + second.asked == 2 * len(interviews)
    assert FeedbackRequest.objects.filter(status="pending").count() == 2 * len(interviews)
    asks = Counter(
        OutboundMessage.objects.filter(kind="request").values_list("request_id", flat=True)
    )
    assert len(asks) == 2 * len(interviews)
    assert set(asks.values()) == {1}
    events = Counter(
        TimelineEvent.objects.filter(kind="request_sent").values_list("request_id", flat=True)
    )
    assert set(events.values()) == {1}

    # Two workers both trying to deliver every message: each goes out once.
    message_ids = list(OutboundMessage.objects.values_list("pk", flat=True))

    def deliver_all():
        return Counter(
            outcome for pk in message_ids for outcome in services.outbox_deliver(message_ids=[pk])
        )

    outcomes = run_at_once(deliver_all, deliver_all)
    assert outcomes[0]["sent"] + outcomes[1]["sent"] == len(message_ids)
    received = smtp_mail.wait_for(lambda msgs: len(msgs) >= len(message_ids), timeout=30)
    outbox_ids = Counter(mail["X-TVR-Outbox-Id"] for mail in received)
    assert len(outbox_ids) == len(message_ids)
    assert set(outbox_ids.values()) == {1}


def test_two_sweeps_at_once_mark_each_deadline_once(no_quiet_hours):
    now = timezone.now()
    requests = []
    for _ in range(40):
        interview = schedule_interview(ends_at=now - dt.timedelta(hours=3))
        FeedbackRequest.objects.filter(interview=interview).update(
            status="pending", asked_at=now - dt.timedelta(hours=3), reminders_sent=1,
            due_at=now - dt.timedelta(seconds=5), next_action_at=now - dt.timedelta(seconds=5),
        )  # fmt: skip
        requests.append(interview)

    first, second = run_at_once(
        lambda: services.sweep_run(batch_size=7), lambda: services.sweep_run(batch_size=7)
    )

    assert first.overdue + second.overdue == 80
    alerts = Counter(
        OutboundMessage.objects.filter(kind="overdue_alert").values_list("request_id", flat=True)
    )
    assert len(alerts) == 80
    assert set(alerts.values()) == {1}
    waned = Counter(
        TimelineEvent.objects.filter(kind="marked_possibly_waned").values_list(
            "application_id", flat=True
        )
    )
    assert len(waned) == 40
    assert set(waned.values()) == {1}
    assert Application.objects.filter(interest_status="possibly_waned").count() == 40


def test_an_answer_racing_the_deadline_has_one_consistent_outcome(no_quiet_hours):
    outcomes = Counter()
    for _ in range(12):
        now = timezone.now()
        interview = schedule_interview(ends_at=now - dt.timedelta(hours=2))
        request = FeedbackRequest.objects.get(interview=interview, party="candidate")
        FeedbackRequest.objects.filter(pk=request.pk).update(
            status="pending", asked_at=now - dt.timedelta(hours=2), reminders_sent=1,
            due_at=now, next_action_at=now,
        )  # fmt: skip
        FeedbackRequest.objects.filter(interview=interview, party="client").delete()

        run_at_once(
            services.sweep_run,
            lambda r=request: services.feedback_submit(
                request=r, answers={"interest_level": 9, "still_interested": "yes"}
            ),
        )

        request.refresh_from_db()
        application = Application.objects.get(pk=interview.application_id)
        assert request.status == FeedbackRequest.Status.RECEIVED
        assert Feedback.objects.filter(request=request).count() == 1
        assert application.interest_status == "high"  # the answer wins, whatever the order
        alerts = OutboundMessage.objects.filter(request=request, kind="overdue_alert").count()
        events = set(TimelineEvent.objects.filter(request=request).values_list("kind", flat=True))
        if alerts:
            # The sweep came first: marked, alerted once, then restored by the late answer.
            assert alerts == 1
            assert {"marked_possibly_waned", "interest_restored"} <= events
            outcomes["sweep first"] += 1
        else:
            assert not events & {"marked_overdue", "marked_possibly_waned"}
            outcomes["answer first"] += 1
    assert sum(outcomes.values()) == 12
