"""The product's moment formats, written once in core.formatting: Python (moment_text)
and the templates (the `moment` filter) read the same strings, in the zone asked for or
the reader's."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone, translation

from core.formatting import MOMENT_FORMATS, moment_text, moment_written

# 14:00 UTC on Tuesday 3 March 2026: 8:00 AM in Chicago (CST).
MOMENT = dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.UTC)


def test_each_format_reads_as_the_pages_and_the_mails_say_it():
    assert moment_text(MOMENT, "America/Chicago", MOMENT_FORMATS["long"]) == (
        "Tuesday 3 March, 8:00 AM CST"
    )
    assert moment_text(MOMENT, "America/Chicago") == "Tue 3 Mar, 8:00 AM CST"
    assert moment_text(MOMENT, "America/Chicago", MOMENT_FORMATS["time"]) == "8:00 AM"
    assert moment_text(None, "America/Chicago") == "–"


def test_without_a_zone_a_moment_reads_in_the_readers():
    with timezone.override("America/New_York"):
        assert moment_text(MOMENT) == "Tue 3 Mar, 9:00 AM EST"


def test_the_template_filter_reads_the_same_formats_in_the_active_zone():
    template = Template(
        '{% load tz moments %}{% timezone "America/Chicago" %}'
        '{{ m|moment:"long" }}|{{ m|moment:"short" }}|{{ m|moment:"time" }}|'
        '{{ none|moment:"short"|default:"not yet" }}{% endtimezone %}'
    )
    assert template.render(Context({"m": MOMENT, "none": None})) == (
        "Tuesday 3 March, 8:00 AM CST|Tue 3 Mar, 8:00 AM CST|8:00 AM|not yet"
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_each_format_is_written_as_djangos_date_format_writes_it(language):
    # Every half hour for two years, in zones with and without changes of clock: both
    # of each year's changes (an hour that happens twice, one that never does) included.
    zones = ["America/Chicago", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with translation.override(language):
        for step in range(0, 2 * 365 * 48, 11):
            moment = start + dt.timedelta(minutes=30 * step)
            for zone in zones:
                local = moment.astimezone(zoneinfo.ZoneInfo(zone))
                for form in MOMENT_FORMATS.values():
                    assert moment_written(local, form) == dateformat.format(local, form)
    # A form of another shape is left to Django.
    assert moment_written(MOMENT, "Y-m-d") == "2026-03-03"
