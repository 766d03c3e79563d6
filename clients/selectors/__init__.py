"""Reads for the client pages.

Every function that serves a page takes the signed-in contact and filters by the
contact's client in the query itself (`position__client_id=contact.client_id`), so no
page can return another client's row, whatever id it is given. Of a candidate's answers
only the parts the recruiter shared (`Feedback.shared_with_client`) leave this package;
the application's own interest status (e.g. "possibly waned") never does.

Callers (views, admin, the access decorator) use `from clients import selectors` and the
names below; each lives in the submodule of its concern, with its private helpers and
settings: `figures` (per-client counts for the client list, cached), `home` (the
signed-in contact and the home page), `positions` (positions, their pipelines and
candidates), `requests` (the contact's own feedback requests) and `responsiveness` (how
fast a client answers, in SQL and in Python). A test that replaces a function or a
setting must patch it where it is looked up: in its submodule, or in the submodule that
imported it by name.
"""

from .figures import IN_PROCESS_CACHE, clients_in_process_counts, clients_in_process_counts_recent
from .home import (
    HOME_AWAITING,
    HOME_CANDIDATES_PER_POSITION,
    ClientOverview,
    client_overview,
    contact_for_user,
)
from .positions import (
    PAGE_SIZE,
    InterviewRow,
    PipelineBar,
    PositionSummary,
    client_position_detail,
    client_positions,
    position_pipelines,
)
from .requests import (
    MAX_PAGE,
    contact_request_get,
    contact_requests_answered,
    contact_requests_awaiting,
    request_answers,
)
from .responsiveness import (
    RESPONSIVENESS_CACHE,
    Responsiveness,
    client_responsiveness,
    client_responsiveness_recent,
)

__all__ = [
    "HOME_AWAITING",
    "HOME_CANDIDATES_PER_POSITION",
    "IN_PROCESS_CACHE",
    "MAX_PAGE",
    "PAGE_SIZE",
    "RESPONSIVENESS_CACHE",
    "ClientOverview",
    "InterviewRow",
    "PipelineBar",
    "PositionSummary",
    "Responsiveness",
    "client_overview",
    "client_position_detail",
    "client_positions",
    "client_responsiveness",
    "client_responsiveness_recent",
    "clients_in_process_counts",
    "clients_in_process_counts_recent",
    "contact_for_user",
    "contact_request_get",
    "contact_requests_answered",
    "contact_requests_awaiting",
    "position_pipelines",
    "request_answers",
]
