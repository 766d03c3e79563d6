"""Reads for the loop: the policy, a request behind a link, what a candidate has pending,
the recruiter's dashboard and an application's whole story.

Callers (views, admin, services, tasks, other apps) use `from feedback import selectors`
and the names below; each lives in the submodule of its concern, with its private helpers
and settings: `portal` (the policy, links, a candidate's pending requests), `desk` (what
the dashboard's sections share), `dashboard` (its sections and the whole page),
`call_list` (the call list, in SQL and in Python), `charts` (the two charts, cached),
`story` (an application's whole story) and `export` (the answers of a span of days). A
test that replaces a function or a setting (e.g. `dashboard.DASHBOARD_LIMIT`,
`charts.CHART_CACHE_SECONDS`) must patch it where it is looked up: in its submodule, or in
the submodule that imported it by name.
"""

from .call_list import CallItem, CallReason, applications_to_call, dashboard_call_list
from .charts import (
    CHART_WINDOW,
    Bar,
    Charts,
    ResponseTimes,
    dashboard_charts,
    dashboard_charts_compute,
    dashboard_charts_key,
    dashboard_interest_spread,
    dashboard_response_times,
)
from .dashboard import (
    Awaited,
    ClientOverdue,
    Dashboard,
    InterviewDay,
    client_feedback_overdue_counts,
    dashboard_client_feedback_overdue,
    dashboard_feedback_awaited,
    dashboard_get,
    dashboard_interviews,
    dashboard_latest_answers,
    recruiter_for_user,
)
from .export import day_span, feedback_for_export
from .person import PersonRecords, candidates_inactive_since, person_records
from .portal import (
    candidate_pending_requests,
    candidate_upcoming_interviews,
    feedback_current,
    feedback_request_for_expired_link,
    feedback_request_get_by_token,
    feedback_request_link,
    feedback_request_link_for_short,
    feedback_request_short_link,
    policy_get,
)
from .story import (
    ApplicationStory,
    InterviewStory,
    RequestStory,
    TimelineEntry,
    application_story,
)

__all__ = [
    "PersonRecords",
    "candidates_inactive_since",
    "person_records",
    "CHART_WINDOW",
    "ApplicationStory",
    "Awaited",
    "Bar",
    "CallItem",
    "CallReason",
    "Charts",
    "ClientOverdue",
    "Dashboard",
    "InterviewDay",
    "InterviewStory",
    "RequestStory",
    "ResponseTimes",
    "TimelineEntry",
    "application_story",
    "applications_to_call",
    "candidate_pending_requests",
    "candidate_upcoming_interviews",
    "client_feedback_overdue_counts",
    "dashboard_call_list",
    "dashboard_charts",
    "dashboard_charts_compute",
    "dashboard_charts_key",
    "dashboard_client_feedback_overdue",
    "dashboard_feedback_awaited",
    "dashboard_get",
    "dashboard_interest_spread",
    "dashboard_interviews",
    "dashboard_latest_answers",
    "dashboard_response_times",
    "day_span",
    "feedback_current",
    "feedback_for_export",
    "feedback_request_for_expired_link",
    "feedback_request_get_by_token",
    "feedback_request_link",
    "feedback_request_link_for_short",
    "feedback_request_short_link",
    "policy_get",
    "recruiter_for_user",
]
