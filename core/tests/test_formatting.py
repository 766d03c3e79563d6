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
    # Every five and a half hours for two years (so at every half hour of the day), in
    # zones with and without changes of clock; and each half hour around Chicago's and
    # London's autumn change, where an hour happens twice and has no zone name.
    zones = ["America/Chicago", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(minutes=30 * step) for step in range(0, 2 * 365 * 48, 11)]
    for change in (
        dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC),
    ):
        moments += [change + dt.timedelta(minutes=30 * step) for step in range(-4, 5)]
    with translation.override(language):
        for moment in moments:
            for zone in zones:
                local = moment.astimezone(zoneinfo.ZoneInfo(zone))
                for form in MOMENT_FORMATS.values():
                    assert moment_written(local, form) == dateformat.format(local, form)
    # A form of another shape is left to Django.
    assert moment_written(MOMENT, "Y-m-d") == "2026-03-03"
