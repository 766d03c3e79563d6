"""Lateness of feedback requests when N interviews end in the same minute.

    python bench/lateness.py --burst 10000 [--concurrency N] [--spread 60] [--no-baseline]

Seeds N interviews ending within one minute starting shortly after the start (two
requests each, asked at the interview's end, quiet hours off), starts a real Celery
worker and beat on Redis (own queue, own database) sending to a local SMTP server in this
process, and measures, for every request email, the time from its due time (ask_at) to
the SMTP server accepting it. Prints p50 / p99 / max lateness. Then sends the same messages,
rendered and flattened beforehand, with raw smtplib from as many processes as the worker
has (one connection each) to the same server, and prints both rates and their ratio
(with --spread 0, everything due at once, the product's rate is its capacity). Then puts
the same messages back in the queue and delivers them by hand (bench/handwritten_delivery.py:
the product's claim, text and record of each message in plain SQL and plain Python, from as
many processes), checks that it wrote the product's very text, and prints its rate too.
Every process it starts is stopped at the end.
"""

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, django_setup, seed, summary  # noqa: E402
from bench.handwritten_delivery import deliver as deliver_by_hand  # noqa: E402

QUEUE = "tvr-bench-lateness"


class Recorder:
    """aiosmtpd handler: when each outbox message (and each of the baseline's) was
    accepted."""

    def __init__(self):
        self.accepted: dict[int, float] = {}
        self.baseline: dict[int, float] = {}
        self.handwritten: dict[int, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        match = re.search(rb"X-TVR-(Outbox|Baseline|Handwritten)-Id: (\d+)", envelope.content)
        if match:
            into = {b"Outbox": self.accepted, b"Baseline": self.baseline}.get(
                match.group(1), self.handwritten
            )
            with self.lock:
                into.setdefault(int(match.group(2)), now)
        return "250 OK"


def _baseline_sender(port: int, messages: list[tuple[str, str, bytes]], ready, go) -> None:
    """One process of the baseline: one SMTP connection, already rendered messages."""
    import smtplib

    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as the product
    smtp.ehlo()
    ready.set()
    go.wait()
    for sender, recipient, content in messages:
        smtp.sendmail(sender, [recipient], content)
    smtp.quit()


def smtplib_baseline(port: int, recorder: Recorder, processes: int) -> tuple[int, float]:
    """The messages the product sent, rendered and flattened beforehand, sent with raw
    smtplib by `processes` processes of one connection each to the same server. Returns
    how many were accepted and over how many seconds (first to last acceptance)."""
    import multiprocessing

    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives

    from feedback.models import OutboundMessage

    rendered = []
    for pk, recipient, subject, text, html in OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENT
    ).values_list("pk", "recipient", "subject", "body_text", "body_html"):
        mail = EmailMultiAlternatives(
            subject=subject, body=text, to=[recipient], headers={"X-TVR-Baseline-Id": str(pk)}
        )
        if html:
            mail.attach_alternative(html, "text/html")
        content = mail.message().as_bytes(linesep="\r\n")
        rendered.append((settings.DEFAULT_FROM_EMAIL, recipient, content))
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    workers = []
    for index in range(processes):
        ready = context.Event()
        worker = context.Process(
            target=_baseline_sender, args=(port, rendered[index::processes], ready, go)
        )
        worker.start()
        workers.append((worker, ready))
    for _, ready in workers:
        ready.wait(60)
    go.set()
    for worker, _ in workers:
        worker.join()
    times = list(recorder.baseline.values())
    return len(times), (max(times) - min(times)) if times else float("nan")


# A link's signed token carries the moment it was signed: left out of the comparison.
_TOKEN = re.compile(r"/(f|feedback)/[^/\s\"]+/")


def handwritten(port: int, recorder: Recorder, processes: int, url: str) -> dict:
    """The product's request emails put back in the queue and delivered by hand
    (bench/handwritten_delivery.py) from `processes` processes to the same server. Returns
    how many were accepted, over how many seconds (first to last acceptance), their CPU
    per email, and how many texts differ from the product's (tokens aside)."""
    import multiprocessing

    from feedback.models import OutboundMessage

    requests = OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.REQUEST, status=OutboundMessage.Status.SENT
    )
    written = {
        pk: [_TOKEN.sub("/", part) for part in parts]
        for pk, *parts in requests.values_list("pk", "subject", "body_text", "body_html")
    }
    requests.update(
        status=OutboundMessage.Status.QUEUED, attempts=0, claimed_at=None, sent_at=None,
        subject="", body_text="", body_html="",
    )  # fmt: skip
    ids = sorted(written)
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    workers = []
    for index in range(processes):
        ready = context.Event()
        worker = context.Process(
            target=deliver_by_hand, args=(port, url, ids[index::processes], ready, go, results)
        )
        worker.start()
        workers.append((worker, ready))
    for _, ready in workers:
        ready.wait(120)
    go.set()
    done = [results.get(timeout=900) for _ in workers]
    for worker, _ in workers:
        worker.join()
    differ = sum(
        [_TOKEN.sub("/", part) for part in parts] != written[pk]
        for pk, *parts in OutboundMessage.objects.filter(pk__in=ids).values_list(
            "pk", "subject", "body_text", "body_html"
        )
    )
    times = list(recorder.handwritten.values())
    sent = sum(count for _, count in done)
    return {
        "accepted": len(times),
        "seconds": (max(times) - min(times)) if times else float("nan"),
        "cpu_ms": 1000 * sum(cpu for cpu, _ in done) / max(sent, 1),
        "differ": differ,
    }


def cpu_seconds(worker_pid: int, url: str) -> dict[str, float]:
    """CPU time used so far by the worker (all its processes), this process (the SMTP
    server), and each PostgreSQL backend serving the benchmark's database."""
    import psutil
    import psycopg

    def tree(pid):
        total = 0.0
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
        return total

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.replace(f"/{name}", "/postgres"), autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
        ]
    backends = {}
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = psutil.Process(pid).cpu_times()
            backends[pid] = times.user + times.system
    return {
        "worker": tree(worker_pid),
        "SMTP server (this process)": time.process_time(),
        "PostgreSQL": backends,
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """Seconds of CPU between two cpu_seconds() readings; a backend that was not there
    at the first counts from zero."""
    used = {part: after[part] - before[part] for part in after if part != "PostgreSQL"}
    used["PostgreSQL"] = sum(
        seconds - before["PostgreSQL"].get(pid, 0.0) for pid, seconds in after["PostgreSQL"].items()
    )
    return used


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=10000)
    parser.add_argument(
        "--concurrency", type=int, default=None, help="worker processes (default: the product's)"
    )
    parser.add_argument("--lead", type=float, default=20, help="seconds until the minute")
    parser.add_argument(
        "--spread",
        type=int,
        default=60,
        help="seconds over which the interviews end (0: all due at once)",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the raw smtplib baseline and the hand-written delivery",
    )
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    # Stopped from outside (timeout, kill): unwind, so that the finally below stops the
    # worker, beat and the rest; they run in sessions of their own and would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    env_extra = {"CELERY_QUEUE": QUEUE, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    url = django_setup("lateness", extra_env=env_extra)

    import redis
    from django.db import connections

    from feedback.models import FeedbackRequest, OutboundMessage, ReminderPolicy

    redis_client = redis.Redis.from_url(os.environ["REDIS_URL"])
    redis_client.delete(QUEUE, f"{QUEUE}-sweep")
    start_at = datetime.now(UTC) + timedelta(seconds=args.lead)
    spread = max(args.spread, 1)
    ends = f"(timestamptz '{start_at.isoformat()}' + (i % {spread}) * interval '1 second')"
    seed(
        candidates=args.burst,
        applications=args.burst,
        interviews=args.burst,
        ends_at=ends,
        ask_at=ends,
        remind_at="NULL",
        due_at=f"{ends} + interval '2 days'",
        next_action_at=ends,
    )
    ReminderPolicy.objects.update_or_create(
        pk=1, defaults={"quiet_hours_start": None, "quiet_hours_end": None}
    )
    expected = FeedbackRequest.objects.count()
    from django.conf import settings

    concurrency = args.concurrency or settings.CELERY_WORKER_CONCURRENCY
    connections.close_all()

    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, **env_extra}
    procs = []
    for name, celery_args in (
        (
            "worker",
            ["worker", "-l", "warning", "--concurrency", str(concurrency),
             "-n", "bench-lateness@%h", "--without-mingle", "--without-gossip"],
        ),
        ("beat", ["beat", "-l", "warning", "-s", str(log_dir / "lateness-beat-schedule")]),
    ):  # fmt: skip
        log = (log_dir / f"lateness-{name}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tvr_site", *celery_args],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        )
    try:
        deadline = time.time() + args.lead + 60 + args.timeout
        cpu_before = None
        while len(recorder.accepted) < expected and time.time() < deadline:
            if cpu_before is None and time.time() >= start_at.timestamp():
                cpu_before = cpu_seconds(procs[0].pid, url)
            time.sleep(0.5)
        cpu_after = cpu_seconds(procs[0].pid, url)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        redis_client.delete(QUEUE, f"{QUEUE}-sweep")

    due = {
        pk: ask_at.timestamp()
        for pk, ask_at in OutboundMessage.objects.filter(
            kind=OutboundMessage.Kind.REQUEST
        ).values_list("pk", "request__ask_at")
    }
    lateness = [recorder.accepted[pk] - due[pk] for pk in due if pk in recorder.accepted]
    s = summary(lateness)
    print(
        f"burst {args.burst} interviews ({expected} requests) in one minute, "
        f"worker concurrency {concurrency}, sweep every "
        f"{settings.SWEEP_INTERVAL_SECONDS:g} s"
    )
    print(f"delivered {len(lateness)}/{expected}")
    first, last = start_at.timestamp(), max(recorder.accepted.values(), default=0)
    print(
        f"throughput: {len(recorder.accepted)} emails between the first due time and the "
        f"last acceptance ({last - first:.1f} s): {len(recorder.accepted) / (last - first):.0f}/s"
    )
    if cpu_before is not None:
        per_email = {
            part: 1000 * seconds / max(len(recorder.accepted), 1)
            for part, seconds in cpu_used(cpu_before, cpu_after).items()
        }
        print(
            "CPU per email from the first due time on: "
            + ", ".join(f"{part} {ms:.2f} ms" for part, ms in per_email.items())
        )
    print(
        f"lateness due -> SMTP accepted: p50 {s['p50']:.2f} s  p99 {s['p99']:.2f} s  "
        f"max {s['max']:.2f} s  (goal p99 <= 5 s)"
    )
    if not args.no_baseline:
        accepted = sorted(recorder.accepted.values())
        product_rate = (len(accepted) - 1) / (accepted[-1] - accepted[0])
        sent, seconds = smtplib_baseline(port, recorder, concurrency)
        baseline_rate = (sent - 1) / seconds
        print(
            f"capacity, first to last acceptance: product {product_rate:.0f} emails/s; raw "
            f"smtplib baseline ({concurrency} processes, one connection each, {sent} "
            f"pre-rendered messages) {baseline_rate:.0f} emails/s; ratio "
            f"{product_rate / baseline_rate:.2f} (goal >= 0.5; read it with --spread 0: "
            f"a spread burst paces the product)"
        )
        by_hand = handwritten(port, recorder, concurrency, url)
        hand_rate = (by_hand["accepted"] - 1) / by_hand["seconds"]
        print(
            f"hand-written delivery ({concurrency} processes: the same claim, text and "
            f"record in plain SQL and Python): {hand_rate:.0f} emails/s, "
            f"{by_hand['cpu_ms']:.2f} ms of CPU per email in its processes, "
            f"{by_hand['accepted']} accepted, {by_hand['differ']} texts unlike the "
            f"product's; ratio to raw smtplib {hand_rate / baseline_rate:.2f}; the product "
            f"is {product_rate / hand_rate:.2f}x its rate"
        )
    controller.stop()
    connections.close_all()


if __name__ == "__main__":
    main()
