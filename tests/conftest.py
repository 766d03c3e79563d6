"""Fixtures for the system tests: the system Chromium, and subprocess logs on failure."""

import os

import pytest

from tests.support import skip_or_fail

CHROMIUM_DEFAULT = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches the system Chromium, never a downloaded browser."""
    path = os.environ.get("CHROMIUM_PATH") or CHROMIUM_DEFAULT
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        skip_or_fail(
            f"no Chromium executable at {path}: install the system chromium or set CHROMIUM_PATH"
        )
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the output of the processes a test started (see `item.process_logs`) to its
    failure report, so a failing system test shows what the worker and beat said."""
    report = yield
    logs = getattr(item, "process_logs", None)
    if report.failed and logs:
        for name, path in logs.items():
            try:
                text = path.read_text(errors="replace")
            except OSError as exc:
                text = f"(could not read {path}: {exc})"
            report.sections.append((f"{name} output ({report.when})", text[-20000:]))
    return report
