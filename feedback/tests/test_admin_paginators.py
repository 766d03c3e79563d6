"""The big change lists never count a whole table (core.paginators): an estimate for an
unfiltered big table on PostgreSQL, otherwise a count that stops at a cap; the page says
which. Their rows' cells are the admin's, written more cheaply (core.admin_rows)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Client
from core import paginators
from feedback.models import TimelineEvent
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def timeline_events(count: int):
    application = ApplicationFactory()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            application=application,
            kind=TimelineEvent.Kind.REMINDER_SENT,
            summary=f"Reminded the candidate ({n})",
            created_at=application.created_at,
        )
        for n in range(count)
    )
    return application


@pytest.fixture
def events():
    return timeline_events(30)


def test_a_filtered_list_is_counted_up_to_the_cap_and_says_so(recruiter, events, monkeypatch):
    monkeypatch.setattr(paginators, "COUNT_CAP", 12)

    response = recruiter.get(
        reverse("admin:feedback_timelineevent_changelist"), {"kind__exact": "reminder_sent"}
    )

    assert response.context["cl"].result_count == 12
    assert response.context["cl"].paginator.count_note == "more than"
    assert "more than 12 timeline events" in " ".join(response.content.decode().split())
    assert response.context["cl"].full_result_count is None  # no second, unfiltered count


def test_below_the_cap_the_count_is_exact(recruiter, events):
    response = recruiter.get(reverse("admin:feedback_timelineevent_changelist"))
    assert response.context["cl"].result_count == 30
    assert response.context["cl"].paginator.count_note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class estimates: PostgreSQL")
def test_an_unfiltered_big_table_on_postgresql_is_estimated(recruiter, events, monkeypatch):
    monkeypatch.setattr(paginators, "ESTIMATE_FROM", 20)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TimelineEvent._meta.db_table}")

    response = recruiter.get(reverse("admin:feedback_timelineevent_changelist"))

    assert response.context["cl"].paginator.count_note == "about"
    assert response.context["cl"].result_count == 30  # what ANALYZE saw


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class estimates: PostgreSQL")
def test_estimated_or_counted_a_list_costs_the_same_queries(recruiter, monkeypatch):
    monkeypatch.setattr(paginators, "ESTIMATE_FROM", 20)
    url = reverse("admin:feedback_timelineevent_changelist")

    def analysed_and_listed():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TimelineEvent._meta.db_table}")
        recruiter.get(url)  # the session and permissions are read the same each time
        with CaptureQueriesContext(connection) as queries:
            response = recruiter.get(url)
        return len(queries), response.context["cl"]

    timeline_events(10)
    small, small_list = analysed_and_listed()
    timeline_events(30)
    big, big_list = analysed_and_listed()

    assert (small_list.paginator.count_note, small_list.result_count) == ("", 10)
    assert (big_list.paginator.count_note, big_list.result_count) == ("about", 40)
    assert small == big


def test_a_big_list_shows_fifty_rows_a_page_and_the_rest_on_the_next(recruiter):
    timeline_events(51)
    url = reverse("admin:feedback_timelineevent_changelist")

    first = recruiter.get(url)
    second = recruiter.get(url, {"p": 2})

    assert len(first.context["cl"].result_list) == 50
    assert len(second.context["cl"].result_list) == 1


@pytest.mark.parametrize("name", ["Lakeshore Animal Hospital", 'Paws & "Claws" <Vets>'])
def test_a_rows_selection_checkbox_is_djangos_without_its_template(name):
    client = Client.objects.create(name=name)
    model_admin = admin.site._registry[Client]

    cheap = model_admin.action_checkbox(client)

    assert cheap == admin.ModelAdmin.action_checkbox(model_admin, client)
