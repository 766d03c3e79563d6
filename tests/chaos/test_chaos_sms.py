"""Chaos at the SMS provider: the fake Twilio API answers 500 to some sends, and drops the
connection in the middle of others, some after it has taken the text (the sender cannot
tell) and some before. Every text must reach the provider exactly once; the mails of the
same scenario (the client's side, the recruiter's alerts) exactly once too."""

from collections import Counter

from tests.fake_twilio import FakeTwilio

INTERVIEWS = 20  # each candidate asked and reminded by text only
WINDOWS = {
    "candidate_remind": 5,
    "candidate_deadline": 10,
    "client_remind": 6,
    "client_deadline": 11,
}
# The provider's answers to the sends, in turn, until it settles: a 500, a text taken
# and the connection dropped before the answer, one dropped before it is taken, one ok.
FAULTS = ["500", "kill", "ok", "kill_before", "kill", "500", "ok"] * 6


def test_an_sms_provider_that_fails_and_drops_connections_sends_each_text_once(scenario):
    provider = FakeTwilio().start()
    provider.plan.extend(FAULTS)
    world = scenario()
    try:
        world.env["SMS_URL"] = provider.sms_url
        world.processes.beat("beat")
        world.processes.worker("worker1")
        world.processes.worker("worker2")
        world.processes.wait_ready()
        world.load(interviews=INTERVIEWS, texted=INTERVIEWS, ends_in=3, **WINDOWS)
        world.wait_settled(timeout=180)

        texts = world.sql(
            "SELECT id, kind, status, recipient, body_text, provider_id, attempts "
            "FROM feedback_outboundmessage WHERE channel = 'sms'"
        )
        assert Counter(kind for _, kind, *_ in texts) == {
            "request": INTERVIEWS,
            "reminder": INTERVIEWS,
        }
        assert {status for _, _, status, *_ in texts} == {"sent"}
        assert any(attempts > 1 for *_, attempts in texts)  # the faults were met
        with provider.lock:
            taken = Counter((m["to"], m["body"]) for m in provider.messages)
            sids = {(m["to"], m["body"]): m["sid"] for m in provider.messages}
            injected = len(FAULTS) - len(provider.plan)
        # Each text arrived once, and its row names the provider's message.
        assert taken == Counter((to, body) for _, _, _, to, body, _, _ in texts)
        assert set(taken.values()) == {1}
        assert all(sids[(to, body)] == sid for _, _, _, to, body, sid, _ in texts)
        assert injected == len(FAULTS)

        mails = world.sql("SELECT id FROM feedback_outboundmessage WHERE channel = 'email'")
        received = world.smtp.handler.snapshot()
        assert {str(pk) for (pk,) in mails} == set(received)
        assert set(received.values()) == {1}
        waned = world.scalar(
            "SELECT count(*) FROM candidates_application WHERE interest_status = 'possibly_waned'"
        )
        assert waned == INTERVIEWS
    finally:
        provider.stop()
