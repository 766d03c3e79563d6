"""The client list counts each client's feedback that went overdue in the last 30 days
(the request list's "deadline: past 30 days", which the count links to)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from candidates.models import Application
from clients.selectors import IN_PROCESS_CACHE
from conftest import free_port
from core import caching
from feedback.tests.desk import interview_overdue
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_the_client_list_counts_overdue_client_feedback_of_the_last_30_days(recruiter):
    application = ApplicationFactory(stage=Application.Stage.INTERVIEWING)
    # Midday in Chicago (no quiet hours), 3 and 45 days ago.
    noon = timezone.now().replace(hour=18, minute=0, second=0, microsecond=0)
    interview_overdue(ends_at=noon - dt.timedelta(days=3), application=application)
    interview_overdue(ends_at=noon - dt.timedelta(days=45), application=application)
    other = ApplicationFactory()  # another client, nothing overdue

    response = recruiter.get(reverse("admin:candidates_client_changelist"))

    assert response.status_code == 200
    rows = {client.pk: client for client in response.context["cl"].result_list}
    client = rows[application.position.client_id]
    assert (client.overdue_count, client.in_process_count) == (1, 1)
    assert rows[other.position.client_id].overdue_count == 0
    html = response.content.decode()
    assert "due=past30" in html
    assert f"interview__application__position__client__id__exact={client.pk}" in html


def test_the_client_lists_in_process_counts_are_kept_a_minute_per_client(recruiter):
    first = ApplicationFactory(stage=Application.Stage.INTERVIEWING)
    client_id = first.position.client_id
    listing = reverse("admin:candidates_client_changelist")

    def in_process() -> dict[int, int]:
        rows = recruiter.get(listing).context["cl"].result_list
        return {client.pk: client.in_process_count for client in rows}

    assert in_process()[client_id] == 1
    ApplicationFactory(position=first.position)  # a second candidate in process
    newcomer = ApplicationFactory()  # a new client: not cached yet, counted at once

    counts = in_process()
    assert (counts[client_id], counts[newcomer.position.client_id]) == (1, 1)
    cache.delete(caching.key(IN_PROCESS_CACHE, client_id))  # as when the minute is up
    assert in_process()[client_id] == 2


def test_the_client_list_works_without_the_cache(recruiter, settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    application = ApplicationFactory(stage=Application.Stage.INTERVIEWING)

    response = recruiter.get(reverse("admin:candidates_client_changelist"))

    assert response.status_code == 200
    [client] = response.context["cl"].result_list
    assert client.pk == application.position.client_id
    assert client.in_process_count == 1
