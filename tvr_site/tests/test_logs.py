"""JSON logs: one object a line, a request id on each of a request's lines and on the
delivery of what it queued, and nobody's personal data at INFO (a real portal answer and
its delivery over SMTP)."""

import io
import json

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import OutboundMessage, Party
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    request_of,
    schedule_interview,
    token_of,
)
from tvr_site import logs

# Real commits: the request's transaction commits while the request is served, and the
# delivery task is published then, with the request's id in its headers.
pytestmark = pytest.mark.django_db(transaction=True)

REQUEST_LOGGER = "django_structlog.middlewares.request"


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


ANSWER = "The clinic's night shift worried me; Roxanne's surgery suite was superb."


def test_a_portal_answer_and_its_delivery_log_json_with_the_request_id_and_no_person(
    json_log, anonymous, clock, interview_end, smtp_mail
):
    candidate = CandidateFactory(
        first_name="Philippa",
        last_name="Quennell",
        email="philippa.q@mail.example",
        phone="+1 773 555 0187",
    )
    interview = schedule_interview(
        application=ApplicationFactory(candidate=candidate), ends_at=interview_end
    )
    services.sweep_run()
    request = request_of(interview, Party.CANDIDATE)
    portal = reverse("portal:feedback", kwargs={"token": token_of(request)})
    recruiter = candidate.owner.user

    response = anonymous.post(
        portal,
        {
            "interest_level": "8",
            "still_interested": "yes",
            "went_well": ANSWER,
            "wants_call": "on",
            "preferred_call_time": "Tuesday after 5 pm",
        },
    )
    assert response.status_code == 302
    alert = OutboundMessage.objects.get(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED)
    assert services.outbox_deliver(message_ids=[alert.pk]) == ["sent"]
    assert smtp_mail.messages  # the alert really went out

    lines = _lines(json_log)
    assert lines
    assert all({"event", "level", "timestamp", "logger"} <= set(line) for line in lines)

    started = next(
        line
        for line in lines
        if line["logger"] == REQUEST_LOGGER and line["event"] == "request_started"
    )
    request_id = started["request_id"]
    assert started["request"] == "POST /portal/f/[token]/"
    finished = lines.index(next(line for line in lines if line["event"] == "request_finished"))
    during_request = lines[lines.index(started) : finished + 1]
    assert {line.get("request_id") for line in during_request} == {request_id}
    assert any(line["event"] == "task_enqueued" for line in during_request)

    delivery = next(line for line in lines if line["event"] == "message_delivery")
    assert delivery == {
        **delivery,
        "message_id": alert.pk,
        "kind": "feedback_received",
        "outcome": "sent",
        "queued_by_request": request_id,
    }

    # The test's own SMTP server (aiosmtpd, "mail.log") runs in this process and logs
    # the envelope; it is the receiving end, not the application.
    text = "\n".join(json.dumps(line) for line in lines if line["logger"] != "mail.log")
    personal = [
        candidate.first_name,
        candidate.last_name,
        candidate.email,
        candidate.phone,
        recruiter.first_name,
        recruiter.last_name,
        recruiter.email,
        "Roxanne",
        "Tuesday after 5 pm",
        token_of(request),
    ]
    assert [value for value in personal if value in text] == []


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/portal/f/6f1c2e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6:1kXyZa:Q3VyaW91cw/", "/portal/f/[token]/"),
        ("/clients/feedback/abc:def:ghi/", "/clients/feedback/[token]/"),
        ("/clients/welcome/MQ/cf3x9k-0123456789abcdef0123456789/", "/clients/welcome/MQ/[token]/"),
        ("/admin/candidates/candidate/?q=Philippa+Quennell", "/admin/candidates/candidate/"),
        (
            "/admin/feedback/outboundmessage/12/change/",
            "/admin/feedback/outboundmessage/12/change/",
        ),
    ],
)
def test_a_logged_path_loses_its_query_and_its_link_tokens(path, logged):
    assert logs.redact_path(path) == logged


def test_a_bad_link_is_logged_without_its_token(json_log, anonymous):
    token = "6f1c2e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6:1kXyZa:not-a-signature"
    assert anonymous.get(f"/portal/f/{token}/").status_code == 404
    lines = _lines(json_log)
    assert any(line["logger"] == "django.request" for line in lines)  # "Not Found: …"
    assert token not in json_log.getvalue()
    assert "/portal/f/[token]/" in json_log.getvalue()


def test_the_balancers_probes_are_logged_only_when_they_fail(
    json_log, anonymous, settings, tmp_path
):
    anonymous.get("/health/")
    assert [line for line in _lines(json_log) if line.get("request") == "GET /health/"] == []
    settings.HEALTH_DRAIN_FILE = str(tmp_path / "drain")
    (tmp_path / "drain").touch()
    anonymous.get("/health/")
    (finished,) = [line for line in _lines(json_log) if line["event"] == "request_finished"]
    assert finished["request"] == "GET /health/"
    assert finished["code"] == 503


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_error_is_logged_with_its_traceback_but_not_its_local_variables(log_format):
    """A traceback's frames carry whatever the code held (a candidate's name, a password
    in a connection string): the line says where it failed, never those values."""
    import logging

    def fails(candidate_name):
        # Values built at run time: the traceback's source lines show no value.
        password = "-".join(["hunter2", "secret"])  # noqa: F841 (a local to print)
        raise ValueError("the delivery failed")

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.structured_formatter(log_format=log_format))
    logger = logging.getLogger("tvr.test.traceback")
    logger.addHandler(handler)
    try:
        name = " ".join(["Philippa", "Quartermaine"])
        fails(name)
    except ValueError:
        logger.exception("delivery failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text
    assert "the delivery failed" in text
    assert "hunter2-secret" not in text
    assert "Philippa Quartermaine" not in text
