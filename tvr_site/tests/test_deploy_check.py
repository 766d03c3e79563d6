"""Production settings pass Django's deployment checklist, and refuse to start unconfigured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# Whatever this test run was configured with (the test settings export some of it) must not
# leak into the production check.
CLEARED = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CELERY_QUEUE",
}


def _check_deploy(tmp_path, **env) -> subprocess.CompletedProcess:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in CLEARED},
            "DJANGO_SETTINGS_MODULE": "tvr_site.settings.production",
            "DATABASE_URL": database_url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    secret_key = secrets.token_urlsafe(45)
    assert len(secret_key) == 60
    result = _check_deploy(tmp_path, SECRET_KEY=secret_key, ALLOWED_HOSTS="feedback.tvr.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _check_deploy(tmp_path, ALLOWED_HOSTS="feedback.tvr.example")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the SECRET_KEY environment variable" in result.stderr


PROBE = """
from django.test import Client
client = Client(HTTP_HOST="feedback.tvr.example")
for path in ("/health/", "/metrics", "/admin/login/"):
    print(path, client.get(path).status_code)
"""


def test_the_probes_may_speak_plain_http_to_production_while_pages_redirect(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED | {"METRICS_TOKEN"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=BASE_DIR,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "tvr_site.settings.production",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "SECRET_KEY": secrets.token_urlsafe(45),
            "ALLOWED_HOSTS": "feedback.tvr.example",
            "METRICS_TOKEN": "scrape-token",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    statuses = dict(line.split() for line in result.stdout.splitlines() if line.startswith("/"))
    # The balancer's probe and the scraper reach their views (the scraper, without its
    # token, is refused by the view itself); every other page goes to HTTPS.
    assert statuses == {"/health/": "200", "/metrics": "401", "/admin/login/": "301"}
