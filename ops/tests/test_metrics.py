"""/metrics: Prometheus text, read back with prometheus-client's own parser and checked
against the rows behind it; and who may read it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from candidates.models import Application
from feedback.models import Feedback, OutboundMessage, Party, SweepRecord
from ops.heartbeat import worker_heartbeat_beat
from tests.factories import request_of, schedule_interview

from .conftest import queued_message

METRICS = reverse("ops:metrics")
TOKEN = "scrape-token-for-tests"

pytestmark = pytest.mark.django_db

Kind, Status = OutboundMessage.Kind, OutboundMessage.Status


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return TOKEN


def _scrape(client) -> dict:
    """Every sample, by (name, sorted labels)."""
    response = client.get(METRICS, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _sent(*, kind: str, late: dt.timedelta) -> OutboundMessage:
    message = queued_message(due_at=timezone.now() - late, kind=kind)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT, created_at=timezone.now() - late, sent_at=timezone.now()
    )
    return message


def test_the_loops_figures_match_the_rows_behind_them(anonymous, token, clock):
    now = timezone.now()
    _sent(kind=Kind.INVITATION, late=dt.timedelta(seconds=3))
    _sent(kind=Kind.INVITATION, late=dt.timedelta(seconds=40))
    _sent(kind=Kind.REQUEST, late=dt.timedelta(milliseconds=500))
    queued_message(due_at=now - dt.timedelta(seconds=20), kind=Kind.REQUEST)
    queued_message(due_at=now + dt.timedelta(minutes=5), kind=Kind.REQUEST)  # a backoff
    queued_message(due_at=now, kind=Kind.REMINDER, status=Status.FAILED)
    interview = schedule_interview(ends_at=now - dt.timedelta(hours=1))
    Feedback.objects.create(request=request_of(interview, Party.CANDIDATE), submitted_at=now)
    Feedback.objects.create(
        request=request_of(interview, Party.CLIENT),
        channel=Feedback.Channel.PHONE,
        submitted_at=now,
    )
    Application.objects.filter(pk=interview.application_id).update(
        interest_status=Application.InterestStatus.POSSIBLY_WANED
    )
    SweepRecord.objects.create(
        pk=SweepRecord.ROW,
        last_finished_at=now - dt.timedelta(seconds=2),
        last_duration_seconds=0.25,
        runs=12,
        duration_seconds=1.5,
        asked=7,
        overdue=3,
        waned=2,
    )
    worker_heartbeat_beat(hostname="worker@host-a")

    samples = _scrape(anonymous)

    def value(name, **labels):
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("tvr_outbox_messages", channel="email", kind="invitation", status="sent") == 2
    assert value("tvr_outbox_messages", channel="email", kind="request", status="queued") == 2
    assert value("tvr_outbox_messages", channel="email", kind="reminder", status="failed") == 1
    invitations = {"channel": "email", "kind": "invitation"}
    assert value("tvr_delivery_lateness_seconds_bucket", **invitations, le="2.0") == 0
    assert value("tvr_delivery_lateness_seconds_bucket", **invitations, le="5.0") == 1
    assert value("tvr_delivery_lateness_seconds_bucket", **invitations, le="60.0") == 2
    assert value("tvr_delivery_lateness_seconds_bucket", **invitations, le="+Inf") == 2
    assert value("tvr_delivery_lateness_seconds_count", **invitations) == 2
    assert value("tvr_delivery_lateness_seconds_sum", **invitations) == pytest.approx(43)
    requests = {"channel": "email", "kind": "request"}
    assert value("tvr_delivery_lateness_seconds_bucket", **requests, le="1.0") == 1
    assert value("tvr_answers_total", channel="portal", party="candidate") == 1
    assert value("tvr_answers_total", channel="phone", party="client") == 1
    assert value("tvr_applications_possibly_waned") == 1
    assert value("tvr_possibly_waned_marks_total") == 2
    assert value("tvr_sweep_duration_seconds_count") == 12
    assert value("tvr_sweep_duration_seconds_sum") == 1.5
    assert value("tvr_sweep_last_duration_seconds") == 0.25
    assert value("tvr_sweep_rows_total", step="asked") == 7
    assert value("tvr_sweep_rows_total", step="overdue") == 3
    assert value("tvr_sweep_rows_total", step="reminded") == 0
    assert (
        value("tvr_sweep_last_finished_timestamp_seconds")
        == (now - dt.timedelta(seconds=2)).timestamp()
    )
    assert value("tvr_outbox_queued_messages") == 2
    assert value("tvr_outbox_oldest_queued_age_seconds") == 20
    assert value("tvr_workers_seen") == 1
    assert value("tvr_loop_healthy") == 1


def test_no_label_names_a_person(anonymous, token, clock):
    _sent(kind=Kind.INVITATION, late=dt.timedelta(seconds=3))
    labels = {name for (_, pairs) in _scrape(anonymous) for name, _ in pairs}
    assert "recipient" not in labels
    assert labels & {"channel", "kind", "status", "step", "party"}


def test_django_prometheus_counts_the_requests_and_the_database(anonymous, token):
    anonymous.get(reverse("ops:liveness"))
    names = {name for (name, _) in _scrape(anonymous)}
    assert "django_http_requests_before_middlewares_total" in names
    assert "django_db_execute_total" in names


# --- who may read it ---------------------------------------------------------------------


def test_without_the_token_a_scraper_gets_401(anonymous, token):
    response = anonymous.get(METRICS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_gets_401(anonymous, token):
    response = anonymous.get(METRICS, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert response.status_code == 401


def test_a_signed_in_recruiter_without_the_token_gets_401(recruiter, token):
    assert recruiter.get(METRICS).status_code == 401


def test_with_nothing_configured_nobody_reads_the_metrics(anonymous, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert anonymous.get(METRICS).status_code == 403
    assert anonymous.get(METRICS, HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_an_address_on_the_allow_list_reads_without_a_token(anonymous, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert anonymous.get(METRICS, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert anonymous.get(METRICS, REMOTE_ADDR="192.168.1.9").status_code == 403
