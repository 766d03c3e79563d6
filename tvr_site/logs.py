"""Logging for every process (web, worker, beat): structlog through the standard library,
so that Django's, Celery's and our own lines share one format and one context.

LOG_FORMAT=json: one JSON object a line on stdout, for a log store. Otherwise readable
text (make run). Either way each line carries the context bound to it: the request id
(django-structlog's RequestMiddleware), carried into the tasks the request enqueued
(django-structlog's Celery support), and the task id.

What reaches the log at INFO names no person: ids, kinds, outcomes, paths. Paths lose
their query strings (an admin search is a name) and their signed link tokens (a portal
link opens a candidate's answers).
"""

import re

import structlog

# A path segment that is a signed value (Django's signing: "value:timestamp:signature")
# or a long opaque token (password reset, invitation).
_SECRET_SEGMENT = re.compile(r"/(?=[^/]*:|[\w-]{20,}(?:/|$))[^/?]+")


def redact_path(path: str) -> str:
    """A request's path as it may be logged: no query string, no link token."""
    return _SECRET_SEGMENT.sub("/[token]", path.split("?", 1)[0])


def _redact_request(_logger, _method, event: dict) -> dict:
    # Set on the record by another handler's formatter, the message unredacted: "event"
    # holds it already.
    event.pop("message", None)
    event.pop("asctime", None)
    request = event.get("request")
    if isinstance(request, str):
        method, _, path = request.partition(" ")
        event["request"] = f"{method} {redact_path(path)}" if path else redact_path(method)
    elif request is not None and hasattr(request, "path"):
        # Django's own request logger passes the request itself ("Not Found: …").
        event["request"] = f"{request.method} {redact_path(request.path)}"
    if event.get("logger") == "django.request" and isinstance(event.get("event"), str):
        event["event"] = _SECRET_SEGMENT.sub("/[token]", event["event"])
    return event


# The balancer asks for /health/ every few seconds: its answers are logged only when they
# say something (a 503 while draining).
_LIVENESS = "GET /health/"


def _drop_liveness_probes(_logger, _method, event: dict) -> dict:
    if event.get("request") == _LIVENESS and event.get("code", 200) == 200:
        raise structlog.DropEvent
    return event


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_request,
    ]


def structured_formatter(*, log_format: str) -> structlog.stdlib.ProcessorFormatter:
    """A handler's formatter: JSON lines, or readable text."""
    if log_format == "json":
        renderer = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        # A plain traceback: the default (rich, where installed) prints every frame's
        # local variables, which carry personal data and secrets, and takes long enough
        # to render to stall a process (beat) on a loaded host.
        renderer = [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
        # Lines from the standard library's loggers (Django, Celery, ours) get the same
        # context and fields as structlog's own.
        # (Extras first, so that the redaction sees them.)
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *_shared_processors()],
    )


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: one handler on stdout, rendered as JSON or as text."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {"()": structured_formatter, "log_format": log_format},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "structured",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
    }


def structlog_configure() -> None:
    """structlog's own loggers hand their events to the standard library's handlers."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            _drop_liveness_probes,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
