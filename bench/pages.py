"""Page times at scale, each against a bare view in the same run, with query counts.

    python bench/pages.py [--candidates 100000 --interviews 300000] [--rounds 40] [--reuse]

Seeds 100 requests first and counts each page's queries, then seeds the full data set
(candidates, 1.5 applications per candidate, interviews, two feedback requests per
interview, a timeline event and an outbox row per request, an answer per received
request), and times with Django's test client: the dashboard (own desk and everyone's),
every admin change list, the client home and the portal form; and /bench/bare/ (same
middleware, no work) interleaved with them. Prints p50 / p95 per page, the ratio of
p95 to the bare view's p95, and the query counts at 100 rows and at full size.

--reuse times the database a previous run seeded (migrated to the current code, not
seeded again), and counts queries at full size only.
"""

import argparse
import functools
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, django_setup, seed, summary  # noqa: E402

ENDS = "(now() - ((i % 400) - 20) * interval '1 day')"


def seed_pages(*, candidates: int, interviews: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from candidates.models import ClientContact

    applications = max(candidates * 3 // 2, 1)
    status = (
        "CASE WHEN i % 400 < 20 THEN 'scheduled' WHEN i % 400 < 22 THEN 'pending' "
        "ELSE (ARRAY['received', 'received', 'overdue', 'cancelled'])[1 + (i + p) % 4] END"
    )
    seed(
        candidates=candidates,
        applications=applications,
        interviews=interviews,
        ends_at=ENDS,
        request_status=status,
        ask_at=ENDS,
        due_at=f"{ENDS} + interval '2 days'",
        next_action_at=(
            f"CASE WHEN i % 400 < 20 THEN {ENDS} WHEN i % 400 < 22 "
            f"THEN {ENDS} + interval '2 days' END"
        ),
    )
    with connection.cursor() as cursor:
        for sql in (
            """UPDATE feedback_feedbackrequest SET
                 asked_at = CASE WHEN status <> 'scheduled' THEN ask_at END,
                 received_at = CASE WHEN status = 'received' THEN ask_at + interval '5 hours' END,
                 overdue_at = CASE WHEN status = 'overdue' THEN due_at END,
                 cancelled_at = CASE WHEN status = 'cancelled' THEN ask_at END""",
            """UPDATE candidates_interview SET status = 'completed' WHERE ends_at < now()""",
            """UPDATE candidates_application SET interest_level = 1 + id % 10,
                 interest_status = (ARRAY['high', 'moderate', 'low', 'possibly_waned'])[1 + id % 4],
                 interest_updated_at = now() - (id % 300) * interval '1 hour'""",
            """INSERT INTO feedback_feedback (channel, submitted_at, is_current, interest_level,
                 still_interested, went_well, concerns, questions, wants_call,
                 preferred_call_time, decision, rating, strengths, next_step,
                 shared_with_client, request_id)
               SELECT 'portal', received_at, true,
                 CASE WHEN party = 'candidate' THEN 1 + id % 10 END,
                 CASE WHEN party = 'candidate' THEN 'yes' ELSE '' END,
                 'Good team', '', '', false, '',
                 CASE WHEN party = 'client' THEN 'advance' ELSE '' END,
                 CASE WHEN party = 'client' THEN 1 + id % 5 END, '', '', '[]', id
               FROM feedback_feedbackrequest WHERE status = 'received'""",
            """INSERT INTO feedback_timelineevent (kind, summary, data, created_at,
                 application_id, request_id)
               SELECT 'request_sent', 'Asked the ' || r.party || ' for feedback', '{}',
                 r.ask_at, iv.application_id, r.id
               FROM feedback_feedbackrequest r
               JOIN candidates_interview iv ON iv.id = r.interview_id""",
            """INSERT INTO feedback_outboundmessage (kind, channel, dedupe_key, recipient,
                 subject, body_text, body_html, status, attempts, last_error, next_attempt_at,
                 dispatched_at, sent_at, created_at, request_id)
               SELECT 'request', 'email', 'cycle-1', 'someone' || id || '@mail.example',
                 'How did your interview go?', 'Hello, please tell us how it went.', '',
                 'sent', 1, '', ask_at, ask_at, ask_at, ask_at, id
               FROM feedback_feedbackrequest WHERE status <> 'scheduled'""",
            # VACUUM as well: a table of this size in service has been vacuumed (autovacuum
            # runs after inserts too), so its visibility map is set and the client pages'
            # index-only scans read no table rows. A just-loaded table would make them.
            "VACUUM ANALYZE",
        ):
            cursor.execute(sql)
    user_model = get_user_model()
    contact_user = user_model.objects.create_user(
        username="contact1", email="hiring1@client.example", password="x"
    )
    ClientContact.objects.filter(pk=1).update(user=contact_user)


CHARTS_COMPUTED = ", charts computed"


@functools.cache
def chart_key(label: str) -> str:
    """The cache key of the charts a "charts computed" dashboard drops first (only its
    own: the other dashboard is timed with its charts cached)."""
    from candidates.models import Recruiter
    from feedback.selectors import dashboard_charts_key

    if "everyone" in label:
        return dashboard_charts_key(None)
    return dashboard_charts_key(Recruiter.objects.get(user__username="recruiter1"))


def get(client, label: str, url: str):
    """One page view; a "charts computed" dashboard first drops its cached charts."""
    if label.endswith(CHARTS_COMPUTED):
        from django.core.cache import cache

        cache.delete(chart_key(label))
    return client.get(url)


def pages() -> list[tuple[str, str, str]]:
    """(label, url, who): who is 'recruiter', 'contact' or 'anonymous'."""
    from django.urls import reverse

    from feedback import selectors
    from feedback.models import FeedbackRequest
    from tvr_site.admin_site import site

    result = [
        ("bare view", "/bench/bare/", "anonymous"),
        ("dashboard (own desk)", reverse("admin:index"), "recruiter"),
        ("dashboard (everyone)", reverse("admin:index") + "?desk=everyone", "recruiter"),
        # The same, each time with the charts computed in the view (as when the worker
        # has not refreshed them).
        (f"dashboard (own desk){CHARTS_COMPUTED}", reverse("admin:index"), "recruiter"),
        (
            f"dashboard (everyone){CHARTS_COMPUTED}",
            reverse("admin:index") + "?desk=everyone",
            "recruiter",
        ),
    ]
    for model in sorted(site._registry, key=lambda m: m._meta.label):
        opts = model._meta
        result.append(
            (
                f"admin {opts.app_label}.{opts.model_name}",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                "recruiter",
            )
        )
    result.append(("client home", reverse("clients:home"), "contact"))
    # "Your feedback": what the contact still has to answer and what they answered, each
    # a page read without counting it (core.paginators.list_page).
    result.append(("client requests", reverse("clients:requests"), "contact"))
    pending = FeedbackRequest.objects.filter(
        status=FeedbackRequest.Status.PENDING, party="candidate"
    ).first()
    link = selectors.feedback_request_link(request=pending)
    result.append(("portal form", urlsplit(link).path, "anonymous"))
    return result


def clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    recruiter, contact, anonymous = Client(), Client(), Client()
    recruiter_user = user_model.objects.get(username="recruiter1")
    recruiter.force_login(recruiter_user)
    # The admin needs the second factor: this session has passed it (the pages are timed,
    # not the sign-in).
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=recruiter_user, name="bench")
    session = recruiter.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    contact.force_login(user_model.objects.get(username="contact1"))
    return {"recruiter": recruiter, "contact": contact, "anonymous": anonymous}


def query_counts() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    by_who = clients()
    counts = {}
    for label, url, who in pages():
        get(by_who[who], label, url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            response = get(by_who[who], label, url)
        counts[label] = (len(ctx), response.status_code)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100000)
    parser.add_argument("--interviews", type=int, default=300000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--reuse", action="store_true", help="time the database a previous run seeded"
    )
    args = parser.parse_args()

    django_setup("pages", fresh=not args.reuse)
    from feedback.models import FeedbackRequest

    if args.reuse:
        small = None
        print(f"data: reused, {FeedbackRequest.objects.count()} feedback requests")
    else:
        seed_pages(candidates=17, interviews=50)  # 100 requests
        small = query_counts()
        with Timer() as seeding:
            seed_pages(candidates=args.candidates, interviews=args.interviews)
        print(
            f"data: {args.candidates} candidates, {args.interviews} interviews, "
            f"{FeedbackRequest.objects.count()} feedback requests "
            f"(seeded in {seeding.seconds:.0f} s)"
        )
    # The web process's collector setting (tvr_site.wsgi does the same).
    from tvr_site.gc_tuning import freeze_after_first_request

    freeze_after_first_request()
    large = query_counts()
    by_who = clients()
    plan = pages()
    times = {label: [] for label, _, _ in plan}
    for _ in range(args.rounds):
        for label, url, who in plan:
            start = time.perf_counter()
            get(by_who[who], label, url)
            times[label].append((time.perf_counter() - start) * 1000)
    bare = summary(times["bare view"])
    print(
        f"{'page':<40} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'p95/bare':>9} "
        f"{'queries@100':>11} {'queries@full':>12}"
    )
    for label, _, _ in plan:
        s = summary(times[label])
        at_100 = small[label][0] if small else "-"
        same = small is None or at_100 == large[label][0]
        flag = "" if s["p95"] < 100 and same else "  <-- goal missed"
        print(
            f"{label:<40} {large[label][1]:>6} {s['p50']:>8.1f} {s['p95']:>8.1f} "
            f"{s['p95'] / bare['p95']:>9.0f} {at_100:>11} {large[label][0]:>12}{flag}"
        )


if __name__ == "__main__":
    main()
