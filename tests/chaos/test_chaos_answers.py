"""Answers under stress: the portal while Redis is down, and answers arriving at the very
moment the deadline passes. No answer is ever lost, and each request ends one way."""

import random
import threading
import time
from collections import Counter
from datetime import datetime

from .harness import PortalVisit, free_port, portal_links, wait_until


def _portal_world(scenario, **load_options):
    world = scenario()
    web_port = free_port()
    world.env["SITE_URL"] = f"http://127.0.0.1:{web_port}"
    data = world.load(**load_options)
    world.processes.web("web", web_port)
    return world, data


def test_answers_given_while_redis_is_down_are_kept_and_notified_later(scenario):
    world, expected = _portal_world(
        scenario,
        interviews=20,
        ends_in=2,
        candidate_remind=300,
        candidate_deadline=600,
        client_remind=300,
        client_deadline=600,
    )
    world.processes.beat("beat")
    world.processes.worker("worker")
    links = wait_until(
        "the 20 candidate asks to arrive",
        lambda: len(found := portal_links(world.smtp.handler)) >= 20 and found,
        timeout=90,
    )
    visits = [PortalVisit(link) for link in links]
    for visit in visits:
        visit.open()  # the candidates open their forms …

    world.redis.shutdown_nosave()  # … and the broker dies while they type
    outcomes = [visit.answer(interest_level=9, still_interested="yes") for visit in visits]
    assert {status for status, _, _ in outcomes} == {302}, outcomes
    assert max(seconds for _, _, seconds in outcomes) < 5, "a POST hung on the dead broker"
    for visit, (_, location, _) in zip(visits, outcomes, strict=True):
        status, page = visit.get(world.env["SITE_URL"] + location)
        assert status == 200
        assert "Thank you" in page
    assert world.scalar("SELECT count(*) FROM feedback_feedback") == 20
    assert world.scalar(
        "SELECT count(*) FROM feedback_outboundmessage WHERE kind = 'feedback_received' "
        "AND status = 'queued'"
    ) == 20  # fmt: skip

    world.redis.start()
    recovered_at = time.time()
    wait_until(
        "the recruiter's 20 notifications after Redis is back",
        lambda: (
            world.scalar(
                "SELECT count(*) FROM feedback_outboundmessage WHERE kind = 'feedback_received' "
                "AND status = 'sent'"
            )
            == 20
        ),
        timeout=60,
    )
    notified_after = time.time() - recovered_at
    received = world.smtp.handler.snapshot()
    assert set(received.values()) == {1}, "a message arrived twice"
    notices = world.sql("SELECT id FROM feedback_outboundmessage WHERE kind = 'feedback_received'")
    assert all(received[str(row[0])] == 1 for row in notices)
    assert (
        world.scalar("SELECT count(*) FROM candidates_application WHERE interest_status = 'high'")
        == 20
    )
    _report(world, answers_while_down=20, notified_seconds_after_recovery=round(notified_after, 1))


ROUNDS, PER_ROUND, DEADLINE = 3, 20, 8.0


def test_answers_at_the_moment_the_deadline_passes_end_one_way(scenario):
    world = scenario()
    web_port = free_port()
    world.env["SITE_URL"] = f"http://127.0.0.1:{web_port}"
    world.processes.web("web", web_port)
    for n in range(2):
        world.processes.sweep_loop(f"sweep{n}", interval=0.2)
    world.processes.worker("worker", concurrency=4)
    outcomes = Counter()
    seen_links: set[str] = set()
    for round_number in range(ROUNDS):
        outcomes.update(_race_round(world, round_number, seen_links))
    assert sum(outcomes.values()) == ROUNDS * PER_ROUND
    assert set(world.smtp.handler.snapshot().values()) == {1}, "a message arrived twice"
    _report(world, races=ROUNDS * PER_ROUND, **outcomes)


def _race_round(world, round_number: int, seen_links: set) -> list[str]:
    """One round: PER_ROUND candidates answer within ±0.3 s of their common deadline while
    two sweeps run every 0.2 s. Returns each request's outcome."""
    data = world.load(
        interviews=PER_ROUND,
        ends_in=1,
        candidate_remind=DEADLINE + 60,  # no reminder: only the deadline races
        candidate_deadline=DEADLINE,
        client_remind=300,
        client_deadline=600,
        tag=f"r{round_number}",
    )

    def new_links():
        found = set(portal_links(world.smtp.handler)) - seen_links
        return found if len(found) >= PER_ROUND else None

    links = wait_until(f"round {round_number}'s asks", new_links, timeout=60)
    seen_links |= links
    visits = [PortalVisit(link) for link in links]
    for visit in visits:
        visit.open()
    deadline = datetime.fromisoformat(data.ends_at).timestamp() + DEADLINE
    results = []

    def answer_at(visit, moment):
        time.sleep(max(0.0, moment - time.time()))
        results.append(visit.answer(interest_level=9, still_interested="yes"))

    threads = [
        threading.Thread(target=answer_at, args=(visit, deadline + random.uniform(-0.3, 0.3)))
        for visit in visits
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _, _ in results] == [302] * PER_ROUND, results
    time.sleep(1)  # let any sweep that raced the answers finish
    return [_one_consistent_outcome(world, interview_id) for interview_id in data.interviews]


def _one_consistent_outcome(world, interview_id) -> str:
    ((request_id, status),) = world.sql(
        "SELECT id, status FROM feedback_feedbackrequest WHERE interview_id = %s "
        "AND party = 'candidate'",
        interview_id,
    )
    assert status == "received"
    assert world.scalar("SELECT count(*) FROM feedback_feedback WHERE request_id = %s",
                        request_id) == 1  # fmt: skip
    interest = world.scalar(
        "SELECT a.interest_status FROM candidates_application a JOIN candidates_interview i "
        "ON i.application_id = a.id WHERE i.id = %s",
        interview_id,
    )
    assert interest == "high", "the answer must win, whichever came first"
    kinds = {
        row[0]
        for row in world.sql(
            "SELECT kind FROM feedback_timelineevent WHERE request_id = %s", request_id
        )
    }
    alerts = world.scalar(
        "SELECT count(*) FROM feedback_outboundmessage WHERE request_id = %s "
        "AND kind = 'overdue_alert'",
        request_id,
    )
    if alerts:
        assert alerts == 1
        assert {"marked_overdue", "marked_possibly_waned", "interest_restored"} <= kinds
        return "sweep first"
    assert not kinds & {"marked_overdue", "marked_possibly_waned"}
    return "answer first"


def _report(world, **figures):
    import json

    from .conftest import REPORT

    with open(REPORT, "a") as out:
        out.write(json.dumps({"scenario": world.name, **figures}) + "\n")
