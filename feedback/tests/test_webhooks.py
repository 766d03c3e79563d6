"""Outgoing webhooks: which events go to which endpoint, once each; signed to the Standard
Webhooks spec and checked by a real receiver; retried with the same webhook-id; and an
endpoint failing for days is turned off."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import OutboundMessage, Party, TimelineEvent, WebhookEndpoint
from feedback.services import webhooks as webhook_services
from feedback.tests.desk import sweep_at
from feedback.webhooks import events
from tests.factories import request_of, schedule_interview
from tests.webhook_receiver import WebhookReceiver, payload_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def endpoint(name="ATS", url="https://ats.example/hooks", events_wanted=events.EVENT_TYPES, **kw):
    return WebhookEndpoint.objects.create(name=name, url=url, events=list(events_wanted), **kw)


def webhooks(**filters) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(channel=OutboundMessage.Channel.WEBHOOK, **filters).order_by(
            "pk"
        )
    )


def deliver(message: OutboundMessage) -> str:
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    (outcome,) = services.outbox_deliver(message_ids=[message.pk])
    return outcome


# --- what is queued -----------------------------------------------------------------------


def test_an_event_goes_to_each_enabled_endpoint_that_wants_it():
    wants = endpoint("Scheduling", events_wanted=[events.INTERVIEW_SCHEDULED])
    endpoint("Answers only", events_wanted=[events.FEEDBACK_RECEIVED])
    endpoint("Off", enabled=False)
    interview = schedule_interview()
    (message,) = webhooks()
    assert (message.webhook_endpoint, message.subject) == (wants, events.INTERVIEW_SCHEDULED)
    assert message.timeline_event.kind == TimelineEvent.Kind.INTERVIEW_SCHEDULED
    assert message.timeline_event.application == interview.application
    assert message.status == OutboundMessage.Status.QUEUED


def test_a_candidates_and_a_clients_answer_are_events_of_their_own(clock):
    endpoint(events_wanted=[events.FEEDBACK_RECEIVED, events.CLIENT_FEEDBACK_RECEIVED])
    interview = schedule_interview(ends_at=timezone.now() - dt.timedelta(minutes=1))
    services.feedback_submit(
        request=request_of(interview), answers={"interest_level": 8}, channel="portal"
    )
    services.feedback_submit(
        request=request_of(interview, Party.CLIENT),
        answers={"decision": "advance", "rating": 4},
        channel="client_page",
    )
    assert [m.subject for m in webhooks()] == [
        events.FEEDBACK_RECEIVED,
        events.CLIENT_FEEDBACK_RECEIVED,
    ]


def test_cancelling_and_a_failed_message_are_events():
    endpoint(events_wanted=[events.INTERVIEW_CANCELLED, events.MESSAGE_FAILED])
    interview = schedule_interview()
    services.interview_cancel(interview=interview)
    services.timeline_record(
        application=interview.application,
        kind=TimelineEvent.Kind.MESSAGE_FAILED,
        summary="Feedback request to ana@example.com failed: 550",
    )
    assert [m.subject for m in webhooks()] == [events.INTERVIEW_CANCELLED, events.MESSAGE_FAILED]


def test_the_sweep_queues_possibly_waned_for_a_whole_batch_at_once(interview_end):
    first = endpoint("First", events_wanted=[events.INTEREST_POSSIBLY_WANED])
    second = endpoint("Second", url="https://crm.example/in")
    with time_machine.travel(interview_end - dt.timedelta(hours=2), tick=False):
        interviews = [schedule_interview(ends_at=interview_end) for _ in range(3)]
    # Asked, reminded, then the candidate's deadline passes for all three in one batch.
    for minutes in (0, 60, 120):
        result = sweep_at(interview_end + dt.timedelta(minutes=minutes))
    assert result.counts()["overdue"] == 3
    waned = webhooks(subject=events.INTEREST_POSSIBLY_WANED)
    assert len(waned) == 6  # three applications, two endpoints
    assert {(m.webhook_endpoint, m.timeline_event.application) for m in waned} == {
        (e, i.application) for e in (first, second) for i in interviews
    }
    sweep_at(interview_end + dt.timedelta(minutes=125))
    assert len(webhooks(subject=events.INTEREST_POSSIBLY_WANED)) == 6


def test_one_event_and_many_are_queued_alike():
    """The Python and the SQL spelling of the queueing write the same row."""
    one = endpoint("One", events_wanted=[events.INTERVIEW_SCHEDULED])
    interview = schedule_interview()
    many = endpoint("Many", url="https://crm.example/in")
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED)
    webhook_services.webhooks_queue_many(
        events=TimelineEvent.objects.filter(pk=event.pk),
        event_type=events.INTERVIEW_SCHEDULED,
        now=timezone.now(),
    )
    fields = ["kind", "channel", "dedupe_key", "subject", "status", "attempts", "timeline_event"]
    by_python, by_sql = (webhooks(webhook_endpoint=e)[0] for e in (one, many))
    assert [getattr(by_python, f) for f in fields] == [getattr(by_sql, f) for f in fields]
    assert (by_python.recipient, by_sql.recipient) == (one.url, many.url)
    assert interview.application == by_sql.timeline_event.application


def test_an_event_reaches_an_endpoint_once():
    ats = endpoint(events_wanted=[events.INTERVIEW_SCHEDULED])
    schedule_interview()
    event = TimelineEvent.objects.get()
    again = webhook_services.webhooks_queue_many(
        events=TimelineEvent.objects.filter(pk=event.pk),
        event_type=events.INTERVIEW_SCHEDULED,
        now=timezone.now(),
    )
    assert again == []
    assert len(webhooks(webhook_endpoint=ats)) == 1


# --- delivery -----------------------------------------------------------------------------


def test_a_delivery_is_signed_and_the_receiver_verifies_it(receiver):
    ats = endpoint(url=receiver.url, events_wanted=[events.INTERVIEW_SCHEDULED])
    receiver.secret = ats.secret
    assert ats.secret.startswith("whsec_")
    interview = schedule_interview()
    (message,) = webhooks()
    assert deliver(message) == "sent"
    (delivery,) = receiver.accepted
    assert delivery["id"] == f"msg_{message.pk}"
    payload = payload_of(delivery)
    assert payload["type"] == events.INTERVIEW_SCHEDULED
    assert payload["data"]["application_id"] == interview.application.pk
    assert payload["data"]["details"] == {"interview_id": interview.pk}
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.body_text == delivery["body"].decode()


def test_a_forged_signature_is_refused_by_the_receiver(receiver):
    ats = endpoint(url=receiver.url, events_wanted=[events.INTERVIEW_SCHEDULED])
    receiver.secret = "whsec_" + "A" * 32  # not the endpoint's
    schedule_interview()
    (message,) = webhooks()
    assert deliver(message) == "retry"
    assert receiver.refused_signatures == 1
    assert not receiver.accepted
    message.refresh_from_db()
    assert message.last_error == "HTTP 401: bad signature"
    assert ats.secret != receiver.secret


def test_a_retry_carries_the_same_webhook_id_and_body(receiver):
    ats = endpoint(url=receiver.url, events_wanted=[events.INTERVIEW_SCHEDULED])
    receiver.secret = ats.secret
    schedule_interview()
    (message,) = webhooks()
    receiver.mode = "fail"
    assert deliver(message) == "retry"
    message.refresh_from_db()
    # The receiver's status and body, as the admin's outbox shows them.
    assert message.last_error == "HTTP 500: receiver down for maintenance"
    assert message.next_attempt_at > timezone.now()  # backoff
    ats.refresh_from_db()
    assert ats.failing_since is not None
    receiver.mode = "ok"
    assert deliver(message) == "sent"
    assert receiver.attempts == [f"msg_{message.pk}"] * 2
    assert receiver.accepted_per_id() == {f"msg_{message.pk}": 1}
    ats.refresh_from_db()
    assert ats.failing_since is None  # healthy again


def test_an_endpoint_failing_for_days_is_turned_off(receiver, settings):
    settings.FEEDBACK = {**settings.FEEDBACK, "WEBHOOK_DISABLE_AFTER": dt.timedelta(days=3)}
    ats = endpoint(url=receiver.url, events_wanted=[events.INTERVIEW_SCHEDULED])
    receiver.mode = "fail"
    schedule_interview()
    schedule_interview()
    first, second = webhooks()
    assert deliver(first) == "retry"  # failing since now: not for long enough
    WebhookEndpoint.objects.filter(pk=ats.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=3, minutes=1)
    )
    assert deliver(first) == "failed"
    ats.refresh_from_db()
    assert not ats.enabled
    assert "failing since" in ats.disabled_reason
    # What is still queued for it fails at once, without a call; new events skip it.
    assert deliver(second) == "failed"
    assert len(receiver.attempts) == 2
    schedule_interview()
    assert len(webhooks()) == 2


def test_a_failed_webhook_is_not_itself_an_event():
    """No loop: a webhook's failure is on no application's timeline."""
    endpoint(url="http://127.0.0.1:9/closed", events_wanted=list(events.EVENT_TYPES))
    schedule_interview()
    (message,) = webhooks()
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=99)
    assert deliver(message) == "failed"
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.MESSAGE_FAILED).exists()
    assert len(webhooks()) == 1


# --- in the admin -------------------------------------------------------------------------


def test_a_recruiter_subscribes_an_endpoint_and_gets_its_secret(recruiter):
    response = recruiter.post(
        reverse("admin:feedback_webhookendpoint_add"),
        {
            "name": "Agency ATS",
            "url": "https://ats.example/hooks/tvr",
            "events": [events.FEEDBACK_RECEIVED, events.INTEREST_POSSIBLY_WANED],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    ats = WebhookEndpoint.objects.get()
    assert ats.events == [events.FEEDBACK_RECEIVED, events.INTEREST_POSSIBLY_WANED]
    assert ats.secret.startswith("whsec_")
    page = recruiter.get(reverse("admin:feedback_webhookendpoint_change", args=[ats.pk]))
    assert ats.secret in page.content.decode()


def test_an_unknown_event_is_refused_in_the_admin(recruiter):
    response = recruiter.post(
        reverse("admin:feedback_webhookendpoint_add"),
        {"name": "Bad", "url": "https://ats.example/", "events": ["candidate.deleted"]},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["events"]
    assert not WebhookEndpoint.objects.exists()


def test_a_recruiter_turns_an_endpoint_on_again(recruiter):
    ats = endpoint(enabled=False, failing_since=timezone.now(), disabled_reason="failing")
    recruiter.post(
        reverse("admin:feedback_webhookendpoint_changelist"),
        {"action": "turn_on", "_selected_action": [ats.pk]},
    )
    ats.refresh_from_db()
    assert (ats.enabled, ats.failing_since, ats.disabled_reason) == (True, None, "")


def test_a_recruiter_retries_a_failed_webhook_from_the_outbox(recruiter, receiver):
    ats = endpoint(url=receiver.url, events_wanted=[events.INTERVIEW_SCHEDULED])
    receiver.secret = ats.secret
    schedule_interview()
    (message,) = webhooks()
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.FAILED)
    recruiter.post(
        reverse("admin:feedback_outboundmessage_changelist"),
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert deliver(message) == "sent"
    assert receiver.accepted_per_id() == {f"msg_{message.pk}": 1}


def test_the_webhooks_page_is_staff_only(client_a, anonymous):
    for persona in (client_a, anonymous):
        response = persona.get(reverse("admin:feedback_webhookendpoint_changelist"))
        assert response.status_code == 302


def test_the_outbox_shows_what_the_receiver_answered(recruiter, receiver):
    ats = endpoint(url=receiver.url, events_wanted=[events.INTERVIEW_SCHEDULED])
    receiver.secret = ats.secret
    receiver.mode = "fail"
    schedule_interview()
    (message,) = webhooks()
    deliver(message)
    listing = recruiter.get(
        reverse("admin:feedback_outboundmessage_changelist"), {"channel__exact": "webhook"}
    )
    assert listing.status_code == 200
    assert "HTTP 500: receiver down for maintenance" in listing.content.decode()
    page = recruiter.get(reverse("admin:feedback_outboundmessage_change", args=[message.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "HTTP 500: receiver down for maintenance" in html
    assert events.INTERVIEW_SCHEDULED in html
