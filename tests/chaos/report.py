"""The chaos suite's counts as Markdown, one row per scenario run, grouped by test run:

python -m tests.chaos.report [var/chaos-report.jsonl] [--runs RUN_ID …] [--first N]
"""

import argparse
import json
from collections import defaultdict

SHORT = {
    "test_four_sweeps_and_two_workers_at_once": "four sweeps",
    "test_two_beats_at_once": "two beats",
    "test_a_worker_killed_mid_delivery_and_started_again": "worker SIGKILL",
    "test_redis_lost_without_saving_while_messages_are_queued": "Redis lost",
    "test_postgres_restarted_in_immediate_mode_mid_sweep": "PostgreSQL restart",
    "test_an_smtp_server_that_fails_stalls_and_bounces": "SMTP 451/stall/550",
    "test_an_smtp_server_that_cuts_the_connection_after_data": "SMTP cut after DATA",
    "test_redis_restarted_while_a_worker_holds_unacknowledged_tasks": "Redis restart, unacked",
    "test_workers_five_seconds_ahead_of_and_behind_the_database": "clocks ±5 s",
    "test_a_webhook_receiver_that_fails_stalls_and_recovers": "webhook receiver fails, stalls",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="var/chaos-report.jsonl")
    parser.add_argument("--runs", nargs="*", help="only these test runs (TEST_RUN_ID)")
    parser.add_argument("--first", type=int, default=1, help="number of the first run shown")
    options = parser.parse_args()
    by_run = defaultdict(list)
    with open(options.path) as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("run") and (not options.runs or row["run"] in options.runs):
                by_run[row["run"]].append(row)
    print(
        "| run | CPU hog | scenario | received/due | duplicates | missing | interrupted by "
        "kill | 250 → recorded ms (median / p99 / max) | caught up s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for number, rows in enumerate(by_run.values(), options.first):
        for row in rows:
            window = row.get("accepted_to_recorded_ms") or {}
            print(
                f"| {number} | {row.get('cpu_hog', 0)} "
                f"| {SHORT.get(row['scenario'], row['scenario'])} "
                f"| {row['received']}/{row['messages_due']} | {row['duplicates']} "
                f"| {row['missing']} | {row.get('interrupted_by_kill') or '—'} "
                f"| {window.get('median', '—')} / {window.get('p99', '—')} / "
                f"{window.get('max', '—')} | {row.get('caught_up_seconds', '—')} |"
            )


if __name__ == "__main__":
    main()
