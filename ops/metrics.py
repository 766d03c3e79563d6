"""The loop's own metrics, read from the database when Prometheus scrapes.

Workers and beat run in other processes, often on other hosts, and the web processes
that answer /metrics never see their counters. The database sees everything they do: the
outbox rows (status, times), the answers, the sweeps' record (feedback.SweepRecord), the
workers' heartbeats. So this collector asks it at scrape time, a few aggregate queries,
and every web process answers the same figures. Labels are a message's channel and kind,
an answer's channel and party, a sweep step: never a person.
"""

from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector

from candidates.models import Application
from feedback.models import Feedback, OutboundMessage, SweepRecord

from . import selectors

# Delivery lateness buckets (seconds): from "went out at once" to "waited out retries".
LATENESS_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600)


class LoopCollector(Collector):
    def collect(self):
        yield from self._messages()
        yield from self._lateness()
        yield from self._answers()
        yield from self._sweeps()
        yield from self._loop()

    def _messages(self):
        family = GaugeMetricFamily(
            "tvr_outbox_messages",
            "Outbox messages by channel, kind and status.",
            labels=["channel", "kind", "status"],
        )
        rows = OutboundMessage.objects.values("channel", "kind", "status").annotate(n=Count("pk"))
        for row in rows.order_by():
            family.add_metric([row["channel"], row["kind"], row["status"]], row["n"])
        yield family

    def _lateness(self):
        """From each sent message's due time (it is due when queued) to the moment the
        server accepted it (sent_at): queueing, retries and backoff included."""
        family = HistogramMetricFamily(
            "tvr_delivery_lateness_seconds",
            "Time from a message being due (queued) to its acceptance by the server.",
            labels=["channel", "kind"],
        )
        lateness = F("sent_at") - F("created_at")
        aggregates = {
            f"le_{bound}": Count("pk", filter=Q(late__lte=timedelta(seconds=bound)))
            for bound in LATENESS_BUCKETS
        }
        rows = (
            OutboundMessage.objects.filter(
                status=OutboundMessage.Status.SENT, sent_at__isnull=False
            )
            .alias(late=lateness)
            .values("channel", "kind")
            .annotate(count=Count("pk"), total=Sum(lateness), **aggregates)
            .order_by()
        )
        for row in rows:
            buckets = [(str(float(b)), row[f"le_{b}"]) for b in LATENESS_BUCKETS]
            buckets.append(("+Inf", row["count"]))
            total = row["total"].total_seconds() if row["total"] else 0.0
            family.add_metric([row["channel"], row["kind"]], buckets, total)
        yield family

    def _answers(self):
        family = CounterMetricFamily(
            "tvr_answers",
            "Feedback answers received, by channel (portal, call, …) and party.",
            labels=["channel", "party"],
        )
        rows = Feedback.objects.values("channel", party=F("request__party")).annotate(n=Count("pk"))
        for row in rows.order_by():
            family.add_metric([row["channel"], row["party"]], row["n"])
        yield family
        yield GaugeMetricFamily(
            "tvr_applications_possibly_waned",
            "Applications whose interest is marked possibly waned now.",
            value=Application.objects.filter(
                interest_status=Application.InterestStatus.POSSIBLY_WANED
            ).count(),
        )

    def _sweeps(self):
        record = SweepRecord.objects.filter(pk=SweepRecord.ROW).first() or SweepRecord()
        yield SummaryMetricFamily(
            "tvr_sweep_duration_seconds",
            "Sweeps finished, and the time they took.",
            count_value=record.runs,
            sum_value=record.duration_seconds,
        )
        yield GaugeMetricFamily(
            "tvr_sweep_last_duration_seconds",
            "How long the last finished sweep took.",
            value=record.last_duration_seconds,
        )
        steps = CounterMetricFamily(
            "tvr_sweep_rows",
            "Rows each sweep step acted on, over all sweeps.",
            labels=["step"],
        )
        for step in SweepRecord.STEPS:
            steps.add_metric([step], getattr(record, step))
        yield steps
        yield CounterMetricFamily(
            "tvr_possibly_waned_marks",
            "Applications the sweeps marked possibly waned (no answer by the deadline).",
            value=record.waned,
        )
        if record.last_finished_at is not None:
            yield GaugeMetricFamily(
                "tvr_sweep_last_finished_timestamp_seconds",
                "When the last sweep finished (Unix time, by the database's clock).",
                value=record.last_finished_at.timestamp(),
            )

    def _loop(self):
        status = selectors.loop_status()
        yield GaugeMetricFamily(
            "tvr_outbox_queued_messages",
            "Messages queued in the outbox (the delivery queue's depth).",
            value=status.queued,
        )
        age = status.oldest_queued_age
        yield GaugeMetricFamily(
            "tvr_outbox_oldest_queued_age_seconds",
            "How long the oldest due message has waited in the queue (0 when none).",
            value=age.total_seconds() if age else 0.0,
        )
        yield GaugeMetricFamily(
            "tvr_workers_seen",
            "Celery workers whose heartbeat was seen in the last minute.",
            value=len(status.workers_seen),
        )
        yield GaugeMetricFamily(
            "tvr_loop_healthy",
            "1 when the loop is healthy (as /health/ready/ says), else 0.",
            value=0 if status.problems else 1,
        )
