"""List filters the recruiter's change lists share: by recruiter ("mine" first) and by
"when" (today, tomorrow, the next or last days) in the recruiter's own time zone.

Each costs at most one query to list its choices, whatever the number of rows or
recruiters, so change lists keep the same number of queries as tables grow.

Both are StrictListFilters (core.admin_filters): a value they do not offer is refused as
Django's admin refuses a bad lookup.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from core.admin_filters import StrictListFilter
from core.admin_input import is_value_of

from .models import Recruiter


def recruiter_filter(path: str, title: str = "recruiter", parameter: str = "recruiter"):
    """Filter on the recruiter at `path` (e.g. "position__recruiter")."""

    class RecruiterFilter(StrictListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            recruiters = Recruiter.objects.select_related("user")
            return [("mine", "Mine"), *((str(r.pk), r.full_name) for r in recruiters)]

        def accepts(self, value: str) -> bool:
            # Any id, listed or not (a recruiter since removed lists nothing).
            return value == "mine" or is_value_of(Recruiter._meta.pk, value)

        def queryset(self, request, queryset):
            value = self.value()
            if value == "mine":
                return queryset.filter(**{f"{path}__user": request.user})
            if value:
                return queryset.filter(**{f"{path}_id": int(value)})
            return queryset

    RecruiterFilter.title = title
    return RecruiterFilter


def user_time_zone(user) -> zoneinfo.ZoneInfo:
    recruiter = Recruiter.objects.filter(user_id=user.pk).only("time_zone").first()
    return zoneinfo.ZoneInfo(recruiter.time_zone if recruiter else settings.TIME_ZONE)


def day_start(user, days_from_today: int) -> datetime:
    """The start of a day counted from today in the user's time zone (-30: 30 days ago)."""
    tz = user_time_zone(user)
    today = timezone.now().astimezone(tz).date()
    return datetime.combine(today + timedelta(days=days_from_today), time.min, tzinfo=tz)


# (value, label, first day from today, number of days)
WHEN_CHOICES = [
    ("today", "Today", 0, 1),
    ("tomorrow", "Tomorrow", 1, 1),
    ("next7", "Next 7 days", 0, 7),
    ("past7", "Past 7 days", -7, 7),
    ("past30", "Past 30 days", -30, 30),
]


def when_filter(path: str, title: str, parameter: str = "when", *, future: bool = True):
    """Filter a date-time at `path` by days counted in the recruiter's time zone; only
    past days for what cannot be in the future (`future=False`, e.g. "created")."""
    choices = [c for c in WHEN_CHOICES if future or c[2] < 0 or c[0] == "today"]

    class WhenFilter(StrictListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return [(value, label) for value, label, _, _ in choices]

        def queryset(self, request, queryset):
            choice = next((c for c in choices if c[0] == self.value()), None)
            if choice is None:
                return queryset
            _, _, first, days = choice
            start = day_start(request.user, first)
            if first < 0:  # "past N days": up to now, today included
                return queryset.filter(**{f"{path}__gte": start, f"{path}__lte": timezone.now()})
            end = start + timedelta(days=days)
            return queryset.filter(**{f"{path}__gte": start, f"{path}__lt": end})

    WhenFilter.title = title
    return WhenFilter
