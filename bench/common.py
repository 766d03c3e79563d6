"""Shared by the benchmarks: an own PostgreSQL database, fast SQL seeding, timing helpers.

Every benchmark works in a database of its own (``<base>_<name>``, created when missing,
migrated), derived from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tvr_bench),
so it never touches a test or development database.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tvr_bench"


def database_url(suffix: str) -> str:
    base = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = base.path.lstrip("/") or "tvr_bench"
    return urlunsplit(base._replace(path=f"/{name}_{suffix}"))


def _admin_connect(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(url: str, *, template: str | None = None) -> None:
    """Drop and create the database named in `url` (optionally as a copy of `template`)."""
    name = urlsplit(url).path.lstrip("/")
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def django_setup(suffix: str, *, fresh: bool = True, extra_env: dict | None = None) -> str:
    """Point Django at the benchmark's own database, (re)create and migrate it."""
    url = database_url(suffix)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("CELERY_QUEUE", f"tvr-bench-{suffix}")
    os.environ.update(extra_env or {})
    sys.path.insert(0, str(ROOT))
    if fresh:
        recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def seed(
    *,
    candidates: int,
    applications: int,
    interviews: int,
    request_status: str = "'scheduled'",
    ask_at: str = "now() + interval '1 day'",
    remind_at: str = "NULL",
    due_at: str = "now() + interval '3 days'",
    next_action_at: str = "now() + interval '1 day'",
    ends_at: str = "now() + interval '1 day'",
    recruiters: int = 10,
    clients: int = 50,
    positions: int = 200,
) -> None:
    """Fill the domain tables with SQL (INSERT ... SELECT generate_series): two feedback
    requests (candidate and client) per interview. The request columns are SQL
    expressions, evaluated per row (``i`` is the interview id)."""
    from django.db import connection

    statements = [
        "TRUNCATE auth_user, candidates_client, feedback_reminderpolicy RESTART IDENTITY CASCADE",
        f"""INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT i, '!', i = 1, 'recruiter' || i, 'Rec', 'Ruiter' || i,
                   'recruiter' || i || '@tvr.example', true, true, now()
            FROM generate_series(1, {recruiters}) i""",
        f"""INSERT INTO candidates_recruiter (id, user_id, office_phone, cell_phone, time_zone,
                signature)
            SELECT i, i, '+1 312 555 0100', '+1 312 555 0199', 'America/Chicago',
                   'Senior Recruiter' FROM generate_series(1, {recruiters}) i""",
        f"""INSERT INTO candidates_client (id, name, kind, city, time_zone, created_at,
                external_id, updated_at)
            SELECT i, 'Lakeshore Animal Hospital ' || i, 'Specialty', 'Chicago',
                   'America/Chicago', now(), '', now() FROM generate_series(1, {clients}) i""",
        f"""INSERT INTO candidates_clientcontact (id, client_id, name, title, email, phone,
                time_zone, external_id, updated_at)
            SELECT i, i, 'Dr Contact ' || i, 'Medical Director', 'hiring' || i || '@client.example',
                   '', 'America/Chicago', '', now() FROM generate_series(1, {clients}) i""",
        f"""INSERT INTO candidates_position (id, client_id, hiring_contact_id, recruiter_id, title,
                location, status, created_at, external_id, updated_at)
            SELECT i, (i - 1) % {clients} + 1, (i - 1) % {clients} + 1, (i - 1) % {recruiters} + 1,
                   'Emergency Veterinarian ' || i, 'Chicago, IL', 'open', now(), '', now()
            FROM generate_series(1, {positions}) i""",
        f"""INSERT INTO candidates_candidate (id, first_name, last_name, email, phone, time_zone,
                specialty, consent_email, consent_sms, created_at, owner_id, external_id,
                updated_at, contact_by)
            SELECT i, 'Casey', 'Candidate' || i, 'candidate' || i || '@mail.example', '',
                   'America/Chicago', 'Emergency', true, false,
                   now() - (i || ' seconds')::interval, (i - 1) % {recruiters} + 1, '', now(), ''
            FROM generate_series(1, {candidates}) i""",
        f"""INSERT INTO candidates_application (id, candidate_id, position_id, stage,
                interest_status, created_at, debrief_reason, candidate_owner_id, external_id,
                updated_at)
            SELECT i, (i - 1) % {candidates} + 1,
                   ((i - 1) % {candidates} + (i - 1) / {candidates} * 7) % {positions} + 1,
                   'interviewing',
                   'unknown', now() - (i || ' seconds')::interval, '',
                   c.owner_id, '', now()
            FROM generate_series(1, {applications}) i
            JOIN candidates_candidate c ON c.id = (i - 1) % {candidates} + 1""",
        f"""INSERT INTO candidates_interview (id, application_id, round, kind, starts_at, ends_at,
                time_zone, location, video_link, interviewers, status, created_at,
                candidate_owner_id, position_recruiter_id, external_id, updated_at)
            SELECT i, a.id, (i - 1) / {applications} + 1, 'in_person',
                   ({ends_at}) - interval '1 hour', {ends_at}, 'America/Chicago',
                   'Lakeshore Animal Hospital', '', 'Dr Who', 'scheduled', now(),
                   a.candidate_owner_id, p.recruiter_id, '', now()
            FROM generate_series(1, {interviews}) i
            JOIN candidates_application a ON a.id = (i - 1) % {applications} + 1
            JOIN candidates_position p ON p.id = a.position_id""",
        f"""INSERT INTO feedback_feedbackrequest (id, interview_id, party, status, ask_at,
                remind_at, due_at, next_action_at, reminders_sent, cycle, token_key, created_at,
                desk_id, position_id)
            SELECT 2 * i - 1 + p, i, CASE p WHEN 0 THEN 'candidate' ELSE 'client' END,
                   {request_status}, {ask_at}, {remind_at}, {due_at}, {next_action_at}, 0, 1,
                   gen_random_uuid(), now(),
                   CASE p WHEN 0 THEN iv.candidate_owner_id ELSE iv.position_recruiter_id END,
                   a.position_id
            FROM generate_series(1, {interviews}) i
            JOIN candidates_interview iv ON iv.id = i
            JOIN candidates_application a ON a.id = iv.application_id,
            generate_series(0, 1) p""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        for table in (
            "auth_user",
            "candidates_recruiter",
            "candidates_client",
            "candidates_clientcontact",
            "candidates_position",
            "candidates_candidate",
            "candidates_application",
            "candidates_interview",
            "feedback_feedbackrequest",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute("ANALYZE")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else float("nan"),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
