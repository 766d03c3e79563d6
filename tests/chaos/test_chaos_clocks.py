"""Hosts whose clocks disagree: two workers, one 5 s ahead of the database and one 5 s
behind, share the work. The loop reads the database's clock (core/clock.py), so
each message still goes out once, and at once: a worker that judged "due" by its own
clock would leave a message it thinks is not yet due to the re-dispatch, a minute later
here."""

import re
from datetime import datetime

from .harness import wait_until
from .test_chaos_processes import INTERVIEWS, WINDOWS

OFFSET = 5.0
# A message left behind would wait this long for the sweep to hand it out again.
REDISPATCH_AFTER = 60
# Sent within this of being queued; the 2-core machine under load sends 600 in a few
# seconds, far inside the re-dispatch wait that a skipped message would show.
ON_TIME = 15.0


def test_workers_five_seconds_ahead_of_and_behind_the_database(scenario):
    world = scenario()
    world.env["REDISPATCH_AFTER_SECONDS"] = str(REDISPATCH_AFTER)
    world.processes.worker("ahead", clock_offset=OFFSET)
    world.processes.worker("behind", clock_offset=-OFFSET)
    world.processes.wait_ready("ahead", "behind")
    assert abs(_clock_offset_seen(world, "ahead") - OFFSET) < 1.5
    assert abs(_clock_offset_seen(world, "behind") + OFFSET) < 1.5
    world.processes.beat("beat")
    world.processes.wait_ready("beat")
    world.load(interviews=INTERVIEWS, ends_in=3, **WINDOWS)
    world.wait_settled(timeout=REDISPATCH_AFTER * 2)

    queued_at = dict(
        world.sql("SELECT id::text, extract(epoch FROM created_at) FROM feedback_outboundmessage")
    )
    accepted = world.smtp.handler.accepted_at
    late = {
        pk: round(min(times) - float(queued_at[pk]), 1)
        for pk, times in accepted.items()
        if min(times) - float(queued_at[pk]) > ON_TIME
    }
    report = world.verify(
        clock_offsets=[OFFSET, -OFFSET],
        slowest_seconds=round(max(min(t) - float(queued_at[pk]) for pk, t in accepted.items()), 1),
    )
    assert not late, f"{len(late)} messages went out late: {sorted(late.items())[:10]}"
    assert report["statuses"] == {"sent": 600}
    # Beat's tasks expire by beat's clock: a worker ahead must not drop them as expired.
    for name in ("ahead", "behind"):
        log = (world.processes.log_dir / f"{name}.log").read_text(errors="replace")
        assert "Discarding revoked task" not in log, f"{name} dropped a task as expired"


def _clock_offset_seen(world, name: str) -> float:
    """How far the worker's clock is from the machine's: the time it wrote on its last
    log line against the moment the kernel says that line was written (the file's
    modification time, taken before and after the read to be sure it is that line's)."""
    log = world.processes.log_dir / f"{name}.log"

    def last_stamp_and_written_at():
        before = log.stat().st_mtime
        last_line = log.read_text(errors="replace").rstrip("\n").rsplit("\n", 1)[-1]
        # The project's log lines begin with the moment in UTC (tvr_site/logs.py).
        stamp = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) ", last_line)
        return stamp and log.stat().st_mtime == before and (stamp.group(1), before)

    stamp, written_at = wait_until(f"a quiet moment in {name}'s log", last_stamp_and_written_at,
                                   timeout=30, interval=0.05)  # fmt: skip
    return datetime.fromisoformat(stamp).timestamp() - written_at
