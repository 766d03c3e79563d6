"""Chaos at a webhook receiver: it fails (500), then stalls (takes the delivery but answers
after the sender has given up), then recovers. Every event must arrive, signed, and be
taken once per webhook-id: a repeat arrives only where the receiver stalled, under the
same webhook-id, for the receiver to drop. The mails of the same scenario keep the
suite's own promise (exactly once) meanwhile."""

from collections import Counter

from tests.webhook_receiver import WebhookReceiver, payload_of

from .harness import wait_until

INTERVIEWS = 30  # an interview.scheduled and an interest.possibly_waned each
WINDOWS = {
    "candidate_remind": 5,
    "candidate_deadline": 10,
    "client_remind": 6,
    "client_deadline": 11,
}
WEBHOOK_TIMEOUT = 2  # seconds the sender waits for an answer
FAILED_ATTEMPTS = 20  # 500s before the receiver starts stalling
STALLS = 4  # deliveries taken but answered too late, before it recovers


def test_a_webhook_receiver_that_fails_stalls_and_recovers(scenario):
    receiver = WebhookReceiver().start()
    receiver.mode = "fail"
    receiver.stall_seconds = WEBHOOK_TIMEOUT + 1.5
    world = scenario()
    try:
        world.env["WEBHOOK_TIMEOUT_SECONDS"] = str(WEBHOOK_TIMEOUT)
        world.processes.beat("beat")
        world.processes.worker("worker1")
        world.processes.worker("worker2")
        world.processes.wait_ready()
        world.load(interviews=INTERVIEWS, ends_in=3, webhook_url=receiver.url, **WINDOWS)
        receiver.secret = world.loaded["webhook_secret"]

        wait_until(
            "the receiver to refuse deliveries",
            lambda: len(receiver.attempts) >= FAILED_ATTEMPTS,
            timeout=90,
        )
        receiver.mode = "stall"
        wait_until("the receiver to stall", lambda: len(receiver.stalled_ids) >= STALLS, timeout=90)
        receiver.mode = "ok"
        world.wait_settled(timeout=180)

        rows = world.sql(
            "SELECT id, subject, status, attempts FROM feedback_outboundmessage "
            "WHERE channel = 'webhook'"
        )
        report = world.verify(
            webhooks=len(rows),
            webhook_attempts=len(receiver.attempts),
            webhook_stalls=len(receiver.stalled_ids),
        )
        assert report["missing"] == 0

        assert Counter(subject for _, subject, _, _ in rows) == {
            "interview.scheduled": INTERVIEWS,
            "interest.possibly_waned": INTERVIEWS,
        }
        assert {status for _, _, status, _ in rows} == {"sent"}
        assert any(attempts > 1 for *_, attempts in rows)  # the failures were retried
        # Every event was taken, verified, under its own outbox row's id …
        taken = receiver.accepted_per_id()
        assert set(taken) == {f"msg_{pk}" for pk, *_ in rows}
        assert receiver.refused_signatures == 0
        # … once, except where the receiver stalled: there the sender could not know it
        # had been taken and sent it again, with the same webhook-id and the same body.
        repeated = {webhook_id for webhook_id, count in taken.items() if count > 1}
        assert repeated <= receiver.stalled_ids
        subjects = {f"msg_{pk}": subject for pk, subject, _, _ in rows}
        with receiver.lock:
            deliveries = list(receiver.accepted)
        assert all(payload_of(d)["type"] == subjects[d["id"]] for d in deliveries)
        bodies = {}
        for delivery in deliveries:
            assert bodies.setdefault(delivery["id"], delivery["body"]) == delivery["body"]
    finally:
        receiver.stop()
