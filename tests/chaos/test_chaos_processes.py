"""Chaos among the system's own processes: many sweeps, two beats, a killed worker.

Each scenario: the processes start, and once they are up a few hundred requests fall due
within seconds (short policy); something breaks, and the scenario verifies the promise:
every due message reached the SMTP server exactly once and every past-deadline
application is "possibly waned" exactly once. (The interviews end after the processes
are up, as in real life: on a loaded machine, interviews that ended while the workers
were still starting had their reminder windows pass before any sweep, and a reminder
past its deadline is rightly skipped.)
"""

import datetime as dt
import time

from .conftest import SWEEP_INTERVAL
from .harness import wait_until

INTERVIEWS = 100  # two requests each: 200 requests, 600 messages due
# Reminder and deadline a few seconds apart: wide enough that a busy 2-core machine still
# reminds before the deadline (a reminder whose deadline has passed is rightly skipped,
# which would make the expected count wrong, not the system).
WINDOWS = {
    "candidate_remind": 5,
    "candidate_deadline": 10,
    "client_remind": 6,
    "client_deadline": 11,
}


# The killed-worker scenario's deadlines, seconds after the interviews' end.
KILL_DEADLINE = 40


def test_four_sweeps_and_two_workers_at_once(scenario):
    world = scenario()
    for n in range(4):
        world.processes.sweep_loop(f"sweep{n}", interval=SWEEP_INTERVAL)
    world.processes.worker("worker1")
    world.processes.worker("worker2")
    world.processes.wait_ready()
    world.load(interviews=INTERVIEWS, ends_in=3, **WINDOWS)
    world.wait_settled()
    world.verify()


def test_two_beats_at_once(scenario):
    world = scenario()
    world.processes.beat("beat1")
    world.processes.beat("beat2")
    world.processes.worker("worker1")
    world.processes.worker("worker2")
    world.processes.wait_ready()
    world.load(interviews=INTERVIEWS, ends_in=3, **WINDOWS)
    world.wait_settled()
    world.verify()


def test_a_worker_killed_mid_delivery_and_started_again(scenario):
    world = scenario()
    world.processes.beat("beat")
    world.processes.worker("victim", concurrency=4)
    world.processes.wait_ready()
    # Deadlines well past the outage: a sweep after recovery still finds the reminders
    # due (a reminder whose deadline has passed is rightly skipped). On a loaded host
    # the kill comes late and the replacement starts slowly: with deadlines 16 s after
    # the interviews' end, a run at load average 11 found them passed.
    expected = world.load(
        interviews=INTERVIEWS,
        ends_in=3,
        candidate_remind=10,
        candidate_deadline=KILL_DEADLINE,
        client_remind=11,
        client_deadline=KILL_DEADLINE + 1,
    )
    # Kill it while it is delivering: some messages sent, many still to go.
    wait_until(
        "deliveries to be under way",
        lambda: sum(world.smtp.handler.snapshot().values()) >= 60,
        timeout=90,
        interval=0.05,
    )
    in_flight = world.scalar(
        "SELECT count(*) FROM feedback_outboundmessage WHERE status IN ('queued','sending')"
    )
    world.processes.kill("victim")
    # What the dead worker had claimed and not recorded: the only messages whose fate the
    # sender cannot know (see Scenario.verify).
    interrupted = frozenset(
        str(row[0])
        for row in world.sql("SELECT id FROM feedback_outboundmessage WHERE status = 'sending'")
    )
    time.sleep(2)
    world.processes.worker("replacement", concurrency=4)
    world.processes.wait_ready("replacement")
    recovered_at = time.time()
    deadline = dt.datetime.fromisoformat(expected.ends_at).timestamp() + KILL_DEADLINE
    assert recovered_at + 2 * SWEEP_INTERVAL < deadline, (
        "the scenario's premise failed, not the system: the outage outlasted the "
        "reminders' deadline (the host is too loaded for these windows)"
    )
    caught_up = world.caught_up_after(recovered_at)
    world.wait_settled()
    world.verify(
        interrupted=interrupted,
        in_flight_at_kill=in_flight,
        caught_up_seconds=round(caught_up, 1),
    )
