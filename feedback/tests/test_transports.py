"""The email transport's own send path writes what Django's SMTP backend would write."""

import re
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives, get_connection

from conftest import free_port
from feedback.transports import EmailTransport


class RawHandler:
    """Keeps each accepted message as the bytes that arrived, with its envelope."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def raw_smtp(settings):
    handler = RawHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    yield handler
    controller.stop()


class Outgoing:
    """What the transport reads of an outbox row."""

    def __init__(self, pk, subject, recipient):
        self.pk, self.subject, self.recipient = pk, subject, recipient
        self.body_text = "Dear Dr Weiß,\n\nHow did it go?\n" + "A long line. " * 40
        self.body_html = "<p>Dear Dr Weiß,</p><p>How did it go?</p>"
        self.message_id = f"<outbox-{pk}-x@tvr-feedback>"


def as_django_sends_it(message: Outgoing) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        headers={"Message-ID": message.message_id, "X-TVR-Outbox-Id": str(message.pk)},
    )
    email.attach_alternative(message.body_html, "text/html")
    return email


def comparable(raw: bytes) -> bytes:
    """The message without what differs on every send: the MIME boundary and the Date."""
    raw = re.sub(rb"=+\d+==", b"BOUNDARY", raw)
    return re.sub(rb"\r\nDate: [^\r]+", b"", raw)


@pytest.mark.parametrize(
    ("subject", "recipient"),
    [
        ("How did your interview at Lakeshore go?", "casey@mail.example"),
        ("Rückmeldung zu Ihrem Gespräch – Tierklinik Müller", "jürgen@tierklinik.example"),
        ("A subject long enough to be folded over two lines " * 3, "casey@bücher.example"),
    ],
)
def test_the_transport_sends_the_bytes_djangos_backend_sends(raw_smtp, subject, recipient):
    message = Outgoing(7, subject, recipient)
    transport = EmailTransport()
    try:
        transport.send(message)
    finally:
        transport.reset()
    get_connection(fail_silently=False).send_messages([as_django_sends_it(message)])

    ours, djangos = raw_smtp.received
    assert ours[:2] == djangos[:2]  # the envelope: sender and recipients
    assert comparable(ours[2]) == comparable(djangos[2])
    assert b"X-TVR-Outbox-Id: 7" in ours[2]
