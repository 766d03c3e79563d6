"""The dashboards' charts, computed by the worker into the cache for the views to read."""

from datetime import datetime

from django.utils import timezone

from candidates.models import Recruiter
from core import caching

from ..selectors import charts as chart_selectors


def dashboard_charts_refresh(*, now: datetime | None = None) -> int:
    """Compute everyone's charts and every recruiter's into the cache (the worker, each
    CHART_REFRESH_SECONDS), so that a dashboard view only reads them. How many desks."""
    now = now or timezone.now()
    # Recruiters who can sign in (a departed one's desk is computed if someone views it).
    desks = [None, *Recruiter.objects.filter(user__is_active=True).order_by("pk")]
    for recruiter in desks:
        caching.put(
            chart_selectors.dashboard_charts_key(recruiter),
            chart_selectors.dashboard_charts_compute(recruiter=recruiter, now=now),
            chart_selectors.CHART_CACHE_SECONDS,
        )
    return len(desks)
