"""The portal feedback POST under load (gunicorn on loopback), against a bare view and a
hand-written answer.

    python bench/load.py [--requests 2000] [--concurrency 8] [--sweep-rows 1000000] [--rounds 6]

Starts gunicorn (bench.settings: the site plus the baselines of bench/urls.py) on its own
database, then, with the same number of client threads: POSTs to the bare view; POSTs a
candidate's answer to the portal form (each POST a different pending request, a real
submit: feedback row, timeline, recruiter notice in the outbox) and to the hand-written
answer (the same writes in plain SQL), in alternating rounds, measuring the CPU of the web
workers and of PostgreSQL per answer; and the portal POST again while `manage.py sweep
--loop` works through --sweep-rows past-deadline requests. Prints requests/s and p50 / p99
of each, CPU per answer and the ratios. Every process it starts is stopped."""

import argparse
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, django_setup, seed, summary  # noqa: E402
from bench.lateness import cpu_seconds, cpu_used  # noqa: E402

QUEUE = "tvr-bench-load"
FUTURE = "now() + interval '1 hour'"
PAST = "now() - interval '1 hour' - (i % 3600) * interval '1 second'"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str, body: bytes, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Host": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def run_phase(
    port: int, jobs: list[tuple[str, bytes]], cookie: str, concurrency: int, keep=None
) -> dict:
    """POST every job with `concurrency` threads; per-request latency and overall rate
    (the latencies also added to `keep`)."""
    latencies: list[float] = [] if keep is None else keep
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    index = iter(range(len(jobs)))

    def worker():
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                return
            path, body = jobs[i]
            start = time.perf_counter()
            status = post(port, path, body, cookie)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed * 1000)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"rps": len(jobs) / wall, "statuses": statuses, **summary(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2) + 1)
    parser.add_argument("--sweep-rows", type=int, default=1000000)
    parser.add_argument(
        "--rounds", type=int, default=6, help="alternating product / hand-written rounds"
    )
    args = parser.parse_args()
    # Stopped from outside (timeout, kill): unwind, so that the finally below stops the
    # worker, beat and the rest; they run in sessions of their own and would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env_extra = {"CELERY_QUEUE": QUEUE}
    url = django_setup("load", extra_env=env_extra)
    import redis
    from django.db import connections

    from feedback import selectors
    from feedback.models import FeedbackRequest

    portal_interviews = 3 * args.requests + 10
    sweep_interviews = args.sweep_rows // 2
    print(f"seeding {2 * portal_interviews} + {args.sweep_rows} requests ...", flush=True)
    seed(
        candidates=portal_interviews + sweep_interviews,
        applications=portal_interviews + sweep_interviews,
        interviews=portal_interviews + sweep_interviews,
        request_status="'pending'",
        ask_at="now() - interval '3 days'",
        ends_at="now() - interval '3 days'",
        due_at=f"CASE WHEN i <= {portal_interviews} THEN {FUTURE} ELSE {PAST} END",
        next_action_at=f"CASE WHEN i <= {portal_interviews} THEN {FUTURE} ELSE {PAST} END",
    )
    paths = [
        urlsplit(selectors.feedback_request_link(request=r)).path
        for r in FeedbackRequest.objects.filter(
            party="candidate", interview_id__lte=portal_interviews
        ).order_by("pk")
    ]
    connections.close_all()

    port = free_port()
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings",
           **env_extra}  # fmt: skip
    procs = {}

    def spawn(name, argv):
        log = (log_dir / f"load-{name}.log").open("wb")
        procs[name] = subprocess.Popen(
            [sys.executable, *argv], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def stop(name):
        proc = procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    redis_client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        spawn("gunicorn", ["-m", "gunicorn", "bench.wsgi", "-b", f"127.0.0.1:{port}",
                           "--workers", str(args.workers), "--log-level", "warning"])  # fmt: skip
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", paths[0])
                response = conn.getresponse()
                response.read()
                cookie = response.getheader("Set-Cookie", "")
                break
            except OSError:
                time.sleep(0.2)
        csrf = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
        cookie = f"csrftoken={csrf}"

        def answer(path: str) -> bytes:
            return urlencode(
                {"csrfmiddlewaretoken": csrf, "interest_level": 8, "still_interested": "yes",
                 "went_well": "Friendly team, good caseload."}
            ).encode()  # fmt: skip

        n = args.requests
        bare = run_phase(port, [("/bench/bare/", answer("x"))] * n, cookie, args.concurrency)
        # The product and the hand-written answer (bench/urls.py) in alternating rounds,
        # each on requests of its own; CPU of the web workers and of PostgreSQL per answer.
        rounds, cpu = max(1, args.rounds), {"portal": [0.0, 0.0], "hand": [0.0, 0.0]}
        latencies: dict[str, list[float]] = {"portal": [], "hand": []}
        statuses: dict[str, dict] = {"portal": {}, "hand": {}}
        walls = {"portal": 0.0, "hand": 0.0}
        gunicorn_pid = procs["gunicorn"].pid
        for r in range(rounds):
            for kind in ("portal", "hand") if r % 2 == 0 else ("hand", "portal"):
                offset = 0 if kind == "portal" else n
                chunk = paths[offset + r * n // rounds : offset + (r + 1) * n // rounds]
                if kind == "hand":
                    chunk = [p.replace("/portal/f/", "/bench/answer/") for p in chunk]
                before = cpu_seconds(gunicorn_pid, url)
                result = run_phase(port, [(p, answer(p)) for p in chunk], cookie,
                                   args.concurrency, keep=latencies[kind])  # fmt: skip
                used = cpu_used(before, cpu_seconds(gunicorn_pid, url))
                cpu[kind][0] += used["worker"]
                cpu[kind][1] += used["PostgreSQL"]
                walls[kind] += len(chunk) / result["rps"]
                for code, count in result["statuses"].items():
                    statuses[kind][code] = statuses[kind].get(code, 0) + count
        portal = {"rps": n / walls["portal"], "statuses": statuses["portal"],
                  **summary(latencies["portal"])}  # fmt: skip
        hand = {"rps": n / walls["hand"], "statuses": statuses["hand"],
                **summary(latencies["hand"])}  # fmt: skip
        spawn("sweep", ["manage.py", "sweep", "--loop", "--interval", "1"])
        time.sleep(3)
        during = run_phase(
            port, [(p, answer(p)) for p in paths[2 * n : 3 * n]], cookie, args.concurrency
        )
        stop("sweep")
    finally:
        for name in list(procs):
            stop(name)
        redis_client.delete(QUEUE, f"{QUEUE}-sweep")

    from feedback.models import FeedbackRequest as FR

    swept = FR.objects.filter(status="overdue").count()
    print(
        f"gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
        f"{n} POSTs per phase"
    )
    print(f"{'phase':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for label, r in (
        ("bare view POST", bare),
        ("hand-written answer POST", hand),
        ("portal feedback POST", portal),
        (f"portal POST during sweep of {args.sweep_rows}", during),
    ):
        print(f"{label:<34} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p99']:>8.1f}  {r['statuses']}")
    print(
        f"ratio portal/bare: throughput {bare['rps'] / portal['rps']:.1f}x lower, "
        f"p99 {portal['p99'] / bare['p99']:.1f}x; during sweep p99 "
        f"{during['p99'] / portal['p99']:.1f}x the quiet p99 "
        f"(sweep marked {swept} overdue meanwhile)"
    )
    per = {kind: [1000 * seconds / n for seconds in parts] for kind, parts in cpu.items()}
    for kind, label in (("hand", "hand-written answer"), ("portal", "portal answer")):
        web, db = per[kind]
        print(f"CPU per answer, {label:<20}: web {web:.2f} ms + PostgreSQL {db:.2f} ms"
              f" = {web + db:.2f} ms")  # fmt: skip
    total = {kind: sum(parts) for kind, parts in per.items()}
    print(
        f"ratio portal/hand-written ({rounds} alternating rounds): CPU "
        f"{total['portal'] / total['hand']:.2f}x (goal <= 2), p99 {portal['p99']:.1f} ms "
        f"(goal <= 150 ms at 8 clients), hand-written p99 {hand['p99']:.1f} ms"
    )
    connections.close_all()


if __name__ == "__main__":
    main()
