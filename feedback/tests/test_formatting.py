"""A span of time reads the same on every page and in every message
(core.formatting.duration_text): the dashboard, the timeline, the mail, the client
pages and the admin's answer list."""

import datetime as dt

import pytest

from feedback.admin.answers import FeedbackAdmin
from feedback.models import Feedback


@pytest.mark.parametrize(
    ("lateness", "text"),
    [
        (None, "on time"),
        (dt.timedelta(minutes=45), "45 min late"),
        (dt.timedelta(hours=2), "2 h late"),
        (dt.timedelta(hours=47, minutes=59), "47 h 59 min late"),
        (dt.timedelta(hours=50), "2.1 days late"),
    ],
)
def test_the_answer_lists_lateness_reads_as_everywhere_else(lateness, text):
    assert FeedbackAdmin.lateness_display(None, Feedback(lateness=lateness)) == text
