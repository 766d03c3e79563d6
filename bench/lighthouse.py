"""First paint on a phone: Lighthouse (npm, package-lock.json) on the candidate portal and
the client home, with its mobile profile (a mid-range phone on a slow 4G link, simulated).

    python bench/lighthouse.py [--runs 3] [--only production|run]

In a database of its own (<DATABASE_URL's name>_lighthouse, made afresh) with the demo's
data, the site is served twice:
- production: the production settings under gunicorn (deploy/gunicorn.conf.py), static
  files collected (hashed names, Brotli and gzip copies), plain HTTP on 127.0.0.1;
- run: the settings and server of `make run` (runserver, DEBUG, static files as they are).
Each page is measured --runs times (the median of each figure is kept). Prints the scores,
first contentful paint and the bytes of the first load, and exits non-zero when a goal
(GOALS) is missed. Needs `npm ci` (make lighthouse runs it) and Chromium (CHROMIUM_PATH,
default /usr/bin/chromium).
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, recreate_database  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]
KIB = 1024

# (server, page) -> {figure: (comparison, goal)}; issue 18's goals.
GOALS = {
    ("production", "portal"): {
        "performance": (">=", 0.99),
        "accessibility": (">=", 1.0),
        "best-practices": (">=", 1.0),
        "fcp_s": ("<=", 1.0),
        "transfer_kib": ("<=", 15.0),
    },
    ("production", "client home"): {
        "performance": (">=", 0.99),
        "accessibility": (">=", 1.0),
        "best-practices": (">=", 1.0),
    },
    ("run", "portal"): {"performance": (">=", 0.97)},
    ("run", "client home"): {"performance": (">=", 0.97)},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(*, settings: str, url: str, static_root: str, port: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # Plain HTTP on the loopback: a TLS terminator does the redirect in production.
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    return env


def manage(*args: str, env: dict) -> str:
    return subprocess.run(
        [*MANAGE, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


LINKS = """
import json
from demo.management.commands.demo_links import open_demo_request
from demo.management.commands.seed_demo import CLIENTS, DEMO_PASSWORD
from feedback import selectors
contact = next(s["contact"] for s in CLIENTS.values() if s["contact"]["can_log_in"])
request = open_demo_request("candidate")
print(json.dumps({"portal": selectors.feedback_request_link(request=request),
                  "client_email": contact["email"], "password": DEMO_PASSWORD}))
"""


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def client_session(site: str, email: str, password: str) -> str:
    """Sign in on /clients/login/ as a browser would; the session cookie's value. (The
    cookies are read by hand: production marks them Secure, for HTTPS only.)"""
    opener = urllib.request.build_opener(NoRedirect)
    login = f"{site}/clients/login/"
    with opener.open(login) as response:
        page = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": password}
    ).encode()
    request = urllib.request.Request(
        login,
        data=body,
        headers={"Cookie": f"csrftoken={cookies['csrftoken'].value}", "Referer": login},
    )
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise
        signed_in = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or []:
            signed_in.load(header)
        return signed_in["sessionid"].value
    raise RuntimeError("the client sign-in did not redirect: wrong password?")


def lighthouse(url: str, *, cookie: str | None = None) -> dict:
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    result = subprocess.run(
        command,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        # Lighthouse says why on stderr; without it a failed run is a bare exit status.
        raise SystemExit(f"lighthouse failed on {url} ({result.returncode}):\n{result.stderr}")
    report = json.loads(result.stdout)
    audits = report["audits"]
    figures = {name: report["categories"][name]["score"] for name in report["categories"]}
    figures["fcp_s"] = audits["first-contentful-paint"]["numericValue"] / 1000
    figures["lcp_s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    figures["transfer_kib"] = audits["total-byte-weight"]["numericValue"] / KIB
    # The scored audits that did not pass, to say what to fix.
    figures["failed"] = sorted(
        ref["id"]
        for category in ("accessibility", "best-practices")
        for ref in report["categories"][category]["auditRefs"]
        if ref["weight"]
        and audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")
        and audits[ref["id"]]["score"] < 1
    )
    return figures


def serve(server: str, *, env: dict, port: int) -> subprocess.Popen:
    if server == "production":
        command = [
            str(Path(PYTHON).parent / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "tvr_site.wsgi",
        ]
    else:
        command = [*MANAGE, "runserver", "--noreload", f"127.0.0.1:{port}"]
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def measure(server: str, *, url: str, runs: int) -> dict:
    port = free_port()
    settings = (
        "tvr_site.settings.production" if server == "production" else ("tvr_site.settings.local")
    )
    with tempfile.TemporaryDirectory(prefix="tvr-static-") as static_root:
        env = base_env(settings=settings, url=url, static_root=static_root, port=port)
        if server == "production":
            manage("collectstatic", "--noinput", env=env)
        links = json.loads(manage("shell", "-c", LINKS, env=env).splitlines()[-1])
        process = serve(server, env=env, port=port)
        try:
            site = f"http://127.0.0.1:{port}"
            wait_for(site + "/health/")
            session = client_session(site, links["client_email"], links["password"])
            pages = {
                "portal": (links["portal"], None),
                "client home": (f"{site}/clients/", f"sessionid={session}"),
            }
            results = {}
            for page, (page_url, cookie) in pages.items():
                # The server's first answer to a page (imports, connections) is not
                # what a phone meets.
                warm = urllib.request.Request(page_url, headers={"Cookie": cookie or ""})
                urllib.request.urlopen(warm).read()
                runs_of = [lighthouse(page_url, cookie=cookie) for _ in range(runs)]
                results[page] = {
                    name: statistics.median(run[name] for run in runs_of)
                    for name in runs_of[0]
                    if name != "failed"
                } | {"failed": sorted({a for run in runs_of for a in run["failed"]})}
            return results
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["production", "run"])
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `npm ci` (make lighthouse does)")

    url = database_url("lighthouse")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tvr_site.settings.local")
    recreate_database(url)
    seed_env = {**os.environ, "DATABASE_URL": url}
    manage("migrate", "--noinput", env=seed_env)
    manage("seed_demo", env=seed_env)

    missed = []
    print(
        f"{'server':<11} {'page':<12} {'perf':>5} {'a11y':>5} {'bp':>5} "
        f"{'FCP s':>6} {'LCP s':>6} {'KiB':>6}  failed audits"
    )
    for server in ("production", "run"):
        if args.only and server != args.only:
            continue
        for page, f in measure(server, url=url, runs=args.runs).items():
            print(
                f"{server:<11} {page:<12} {f['performance']:>5.2f} {f['accessibility']:>5.2f} "
                f"{f['best-practices']:>5.2f} {f['fcp_s']:>6.2f} {f['lcp_s']:>6.2f} "
                f"{f['transfer_kib']:>6.1f}  {' '.join(f['failed']) or '-'}"
            )
            for name, (comparison, goal) in GOALS[(server, page)].items():
                ok = f[name] >= goal if comparison == ">=" else f[name] <= goal
                if not ok:
                    missed.append(
                        f"{server} {page}: {name} {f[name]:.2f}, goal {comparison} {goal}"
                    )
    for line in missed:
        print("MISSED", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
