"""Helpers shared by the system tests."""

import os

import pytest


def skip_or_fail(reason: str) -> None:
    """A missing prerequisite skips the test, unless REQUIRE_E2E=1 makes it a failure."""
    if os.environ.get("REQUIRE_E2E") == "1":
        pytest.fail(f"{reason} (REQUIRE_E2E=1: this must not be skipped)", pytrace=False)
    pytest.skip(reason)
