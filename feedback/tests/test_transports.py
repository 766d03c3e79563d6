"""The email transport's own send path writes what Django's SMTP backend would write."""

import re
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives, get_connection

from conftest import free_port
from feedback.transports import EmailTransport, _flattened, _flattened_plain


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


def plain_mail(subject: str, recipient: str, body: str, html: str | None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[recipient],
        headers={"Message-ID": "<outbox-7-x@tvr-feedback>", "X-TVR-Outbox-Id": "7"},
    )
    if html is not None:
        email.attach_alternative(html, "text/html")
    return email


@pytest.mark.parametrize(
    ("subject", "recipient", "body", "html"),
    [
        ("How did it go?", "casey@mail.example", "Dear Casey,\n\nHow did it go?\n", "<p>Hi</p>"),
        ("Rückmeldung zu Ihrem Gespräch", "casey@mail.example", "Dear Dr Weiß,\r\n", "<p>ß</p>"),
        ("Zoë, a subject long enough to be folded " * 3, "casey@mail.example", "Hi\n", None),
        ("How did it go?", "casey@mail.example", "Line one\rline two\n\nA long line. " * 70, ""),
        ("How did it go?", "casey@mail.example", "Only text, no HTML part.", None),
    ],
)
def test_a_plain_mail_is_written_directly_with_the_librarys_bytes(subject, recipient, body, html):
    email = plain_mail(subject, recipient, body, html)

    written = _flattened_plain(email)

    assert written is not None
    assert comparable(written) == comparable(_flattened(email.message()))


@pytest.mark.parametrize(
    "email",
    [
        plain_mail("Hi", "jürgen@tierklinik.example", "Hi", "<p>Hi</p>"),  # an encoded address
        plain_mail("A plain subject long enough to be folded " * 3, "c@mail.example", "Hi", None),
        plain_mail("Hi", "casey@mail.example", "x" * 999, None),  # needs quoted-printable
        plain_mail("Hi\nBcc: everyone@example.com", "casey@mail.example", "Hi", None),
    ],
    ids=["encoded address", "long ascii subject", "long line", "header injection"],
)
def test_a_mail_that_needs_the_library_is_left_to_it(email):
    assert _flattened_plain(email) is None
