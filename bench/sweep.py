"""The sweep marking N past-deadline requests overdue, against a hand-written SQL baseline.

    python bench/sweep.py --rows 10000 100000 1000000

For each N: seeds N pending requests whose deadline has passed (N/2 interviews, candidate
and client side) into its own database, copies that database (CREATE DATABASE ... TEMPLATE),
then times, on the first, the product's sweep (sweep_run called until nothing is due, as
beat would: marks overdue, timeline events, possibly-waned applications, recruiter alerts
rendered into the outbox and dispatched to Redis) and, on the copy, set-based SQL doing the
same writes. Prints both times, the ratio and the time per row.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, database_url, django_setup, recreate_database, seed  # noqa: E402

BASELINE_BATCH = 5000

BASELINE_SQL = """
WITH due AS (
    SELECT id FROM feedback_feedbackrequest
    WHERE status IN ('scheduled', 'pending') AND next_action_at <= now()
    ORDER BY next_action_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE feedback_feedbackrequest r
    SET status = 'overdue', overdue_at = now(), next_action_at = NULL
    FROM due WHERE r.id = due.id AND r.status = 'pending'
    RETURNING r.id, r.party, r.interview_id, r.due_at, r.cycle, r.desk_id
), info AS (
    -- The recruiter to alert is the request's desk (kept on the request).
    SELECT m.*, iv.application_id, a.interest_status, u.email AS recruiter_email
    FROM marked m
    JOIN candidates_interview iv ON iv.id = m.interview_id
    JOIN candidates_application a ON a.id = iv.application_id
    JOIN candidates_recruiter rr ON rr.id = m.desk_id
    JOIN auth_user u ON u.id = rr.user_id
), overdue_events AS (
    INSERT INTO feedback_timelineevent (kind, summary, data, created_at, application_id,
                                        request_id)
    SELECT 'marked_overdue', 'No ' || party || ' feedback by the deadline',
           jsonb_build_object('due_at', due_at), now(), application_id, id
    FROM info
), waned_events AS (
    INSERT INTO feedback_timelineevent (kind, summary, data, created_at, application_id,
                                        request_id)
    SELECT 'marked_possibly_waned', 'Interest marked possibly waned: no answer by the deadline',
           jsonb_build_object('previous_status', interest_status), now(), application_id, id
    FROM info WHERE party = 'candidate'
), waned AS (
    UPDATE candidates_application a
    SET interest_status = 'possibly_waned', interest_updated_at = now()
    FROM info WHERE a.id = info.application_id AND info.party = 'candidate'
), alerts AS (
    -- Queued without text, as the product does: the worker that sends one renders it.
    INSERT INTO feedback_outboundmessage (kind, channel, dedupe_key, recipient, subject,
        body_text, body_html, status, attempts, last_error, next_attempt_at, dispatched_at,
        created_at, request_id)
    SELECT 'overdue_alert', 'email', 'cycle-' || cycle, recruiter_email, '', '', '',
           'queued', 0, '', now(), now(), now(), id
    FROM info
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM marked
"""


def seed_overdue(rows: int) -> None:
    interviews = max(rows // 2, 1)
    seed(
        candidates=interviews,
        applications=interviews,
        interviews=interviews,
        request_status="'pending'",
        ask_at="now() - interval '3 days'",
        due_at="now() - interval '1 hour' - (i % 3600 || ' seconds')::interval",
        next_action_at="now() - interval '1 hour' - (i % 3600 || ' seconds')::interval",
        ends_at="now() - interval '3 days'",
    )


def run_product() -> tuple[float, int]:
    from feedback.services import sweep_run

    marked = 0
    with Timer() as t:
        while True:
            result = sweep_run()
            marked += result.overdue
            if result.acted == 0:
                break
    return t.seconds, marked


def run_baseline(url: str) -> tuple[float, int]:
    import psycopg

    marked = 0
    with psycopg.connect(url) as conn, Timer() as t:
        while True:
            with conn.transaction():
                n = conn.execute(BASELINE_SQL, {"batch": BASELINE_BATCH}).fetchone()[0]
            marked += n
            if n == 0:
                break
    return t.seconds, marked


def written(url: str) -> tuple:
    """What the run wrote, to compare product and baseline: counts, and digests of the
    events and alerts (who, what, to whom) independent of ids and of the time they ran."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            """SELECT (SELECT count(*) FROM feedback_feedbackrequest WHERE status = 'overdue'),
                      (SELECT count(*) FROM candidates_application
                       WHERE interest_status = 'possibly_waned'),
                      (SELECT count(*) || ' ' || md5(string_agg(
                           request_id || kind || summary || data::text, ','
                           ORDER BY request_id, kind))
                       FROM feedback_timelineevent),
                      (SELECT count(*) || ' ' || md5(string_agg(
                           request_id || kind || recipient || dedupe_key || status, ','
                           ORDER BY request_id, kind))
                       FROM feedback_outboundmessage)"""
        ).fetchone()


def purge_queue() -> None:
    import os

    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(os.environ["CELERY_QUEUE"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100000])
    args = parser.parse_args()

    url = django_setup("sweep", extra_env={"CELERY_QUEUE": "tvr-bench-sweep"})
    copy_url = database_url("sweep_sql")
    from django.conf import settings
    from django.db import connections

    conf = settings.FEEDBACK
    print(
        f"sweep: batch {conf['SWEEP_BATCH_SIZE']} x {conf['SWEEP_MAX_BATCHES']} per run; "
        f"baseline: set-based SQL, {BASELINE_BATCH} rows per statement"
    )
    print(f"{'rows':>9} {'seed s':>7} {'sweep s':>9} {'SQL s':>8} {'ratio':>7} {'us/row':>8}")
    for rows in args.rows:
        with Timer() as seeding:
            seed_overdue(rows)
        connections.close_all()
        recreate_database(copy_url, template=url.rsplit("/", 1)[1])
        product_s, marked = run_product()
        purge_queue()
        baseline_s, baseline_marked = run_baseline(copy_url)
        product_writes, baseline_writes = written(url), written(copy_url)
        same = (
            "same writes"
            if product_writes == baseline_writes
            else (f"DIFFERENT writes: product {product_writes} baseline {baseline_writes}")
        )
        print(
            f"{rows:>9} {seeding.seconds:>7.1f} {product_s:>9.2f} {baseline_s:>8.2f} "
            f"{product_s / baseline_s:>7.1f} {product_s / rows * 1e6:>8.0f}  "
            f"(marked {marked}/{baseline_marked}; {same})",
            flush=True,
        )
    connections.close_all()


if __name__ == "__main__":
    main()
