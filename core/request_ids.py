"""The id of the web request being served (or that enqueued the running task), as the
logs carry it (django-structlog binds it; see tvr_site/logs.py)."""

import structlog


def current_request_id() -> str:
    """The request id bound to this context, or "" outside any request."""
    return str(structlog.contextvars.get_contextvars().get("request_id") or "")
