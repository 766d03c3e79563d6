"""The dashboard's charts are computed once a minute per desk: by the worker, into the cache
(feedback.services.charts), which the page only reads; without the cache the page still
works."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import free_port
from feedback import selectors, tasks
from feedback.selectors import charts
from tests.factories import recruiter_with_login

from .desk import application_for

pytestmark = pytest.mark.django_db


def spread_total(recruiter) -> int:
    charts = selectors.dashboard_charts(recruiter=recruiter, now=timezone.now())
    return sum(bar.value for bar in charts.interest_spread)


def test_the_charts_are_computed_once_a_minute_per_desk(dana, marcus, monkeypatch):
    application_for(dana, interest_level=9)
    assert spread_total(dana) == 1
    assert spread_total(None) == 1

    application_for(dana, interest_level=4)
    application_for(marcus, interest_level=2)

    # Within the minute each desk's charts come from the (real Redis) cache, unqueried.
    with CaptureQueriesContext(connection) as queries:
        assert spread_total(dana) == 1
        assert spread_total(None) == 1
    assert len(queries) == 0
    # A desk that has not asked yet gets fresh figures.
    assert spread_total(marcus) == 1

    monkeypatch.setattr(charts, "CHART_CACHE_SECONDS", 1)
    cache.delete_many([selectors.dashboard_charts_key(None), selectors.dashboard_charts_key(dana)])
    assert spread_total(None) == 3
    time.sleep(1.2)
    application_for(dana, interest_level=7)
    assert spread_total(None) == 4  # expired: counted again
    assert spread_total(dana) == 3


def test_the_worker_computes_every_desks_charts_and_the_views_only_read_them(
    recruiter, dana, marcus, settings
):
    application_for(dana, interest_level=9)
    application_for(marcus, interest_level=3)
    assert "feedback.tasks.refresh_dashboard_charts" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    recruiter_with_login(user__is_active=False)  # has left: not refreshed

    assert tasks.refresh_dashboard_charts.apply().get() == 3  # everyone's, Dana's, Marcus's

    for query in ({}, {"desk": "everyone"}):
        with CaptureQueriesContext(connection) as queries:
            page = recruiter.get(reverse("admin:index"), query)
        assert not [q for q in queries if "interest_level" in q["sql"] and "COUNT" in q["sql"]]
        assert page.status_code == 200
    spread = page.context["dashboard"].charts.interest_spread
    assert {bar.label: bar.value for bar in spread if bar.value} == {"9": 1, "3": 1}
    assert spread_total(marcus) == 1


def test_the_dashboard_works_without_the_cache(recruiter, dana, settings, caplog):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    application_for(dana, interest_level=9)

    page = recruiter.get(reverse("admin:index"))

    assert page.status_code == 200
    assert sum(bar.value for bar in page.context["dashboard"].charts.interest_spread) == 1
    assert "cache unreachable" in caplog.text
