"""How a message leaves the building: one small interface, one error type.

A transport's `send` either returns (the message was accepted) or raises
TransportError saying whether trying again could help.
"""

import contextlib
import functools
import io
import re
import secrets
import smtplib
import socket
import threading
from email.generator import BytesGenerator
from email.header import Header
from email.policy import compat32
from email.utils import formatdate
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from .models import OutboundMessage


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: OutboundMessage) -> None: ...


class EmailTransport:
    """Sends through Django's configured email backend (SMTP from EMAIL_URL, console, …).

    It keeps one connection open per worker process, so the caller records "sent" as
    soon as the server has accepted the message rather than after a QUIT round trip. That
    narrows the one window in which a worker's death can make a message go out twice
    (accepted by the server, not yet recorded by us), and saves a connect per message.
    """

    def __init__(self):
        self._connection = None
        self._settings_key = None
        self._envelope_from = None
        # One SMTP conversation at a time: threads of one process share this transport
        # (and Django's backend, whose own lock our direct send does not take).
        self._lock = threading.RLock()

    def send(self, message: OutboundMessage) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            to=[message.recipient],
            headers={"Message-ID": message.message_id, "X-TVR-Outbox-Id": str(message.pk)},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        # An anymail backend sends it as the message's metadata, which its delivery
        # events carry back (feedback/inbound/email.py); SMTP ignores it.
        email.metadata = {"outbox_id": str(message.pk)}
        if provider_id := self.send_email(email):
            message.provider_id = provider_id

    def send_email(self, email: EmailMultiAlternatives) -> str:
        """Send a built mail on the open connection (the invite transport's too); the
        provider's id for it where an anymail backend gives one, else ""."""
        try:
            self._send_on_open_connection(email)
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will never take it (bad address, policy); 4xx: try later.
            raise TransportError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise TransportError(
                f"recipient refused: {exc.recipients!r}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        status = getattr(email, "anymail_status", None)
        if status is not None and status.message_id:
            return str(status.message_id)[:64]
        return ""

    def _send_on_open_connection(self, email) -> None:
        with self._lock:
            self._send_with_one_reconnect(email)

    def _send_with_one_reconnect(self, email) -> None:
        built: list[bytes] = []  # the flattened message, built once for both attempts
        for attempt in (1, 2):
            self._open_if_needed()
            try:
                self._send_now(email, built)
                return
            except smtplib.SMTPServerDisconnected:
                # The server dropped an idle connection: reconnect once. Any other error
                # leaves the connection in an unknown state: drop it and report.
                self.reset()
                if attempt == 2:
                    raise
            except BaseException:
                self.reset()
                raise

    def _send_now(self, email, built: list[bytes]) -> None:
        smtp = getattr(self._connection, "connection", None)
        if not isinstance(self._connection, SMTPBackend) or smtp is None:
            # Not opened by send_messages, so not closed by it: the connection stays up.
            self._connection.send_messages([email])
            return
        # What Django's SMTP backend does per message (EmailBackend._send), minus the
        # two costs that dominate a burst: parsing our own From again for every message,
        # and folding every header through email.header (see _PlainAsciiHeaders).
        encoding = email.encoding or settings.DEFAULT_CHARSET
        if self._envelope_from is None:
            self._envelope_from = _envelope_address(email.from_email, encoding)
        recipients = [_envelope_address(address, encoding) for address in email.recipients()]
        if not built:
            built.append(_flattened_plain(email) or _flattened(email.message()))
        _sendmail_awaiting_acceptance(smtp, self._envelope_from, recipients, built[0])

    def _open_if_needed(self) -> None:
        key = (
            settings.EMAIL_BACKEND,
            getattr(settings, "EMAIL_HOST", None),
            getattr(settings, "EMAIL_PORT", None),
            getattr(settings, "EMAIL_HOST_USER", None),
            getattr(settings, "EMAIL_USE_TLS", None),
            getattr(settings, "EMAIL_USE_SSL", None),
            getattr(settings, "EMAIL_TIMEOUT", None),
        )
        if self._connection is not None and key != self._settings_key:
            self.reset()  # the mail settings changed (tests, a reload): start afresh
        if self._connection is None:
            self._envelope_from = None
            connection = get_connection(fail_silently=False)
            connection.open()
            _no_delay(connection)
            self._connection, self._settings_key = connection, key

    def reset(self) -> None:
        with self._lock:
            if self._connection is not None:
                # Closing a broken connection may fail too; it is being dropped either way.
                with contextlib.suppress(Exception):
                    self._connection.close()
                self._connection = None


class _PlainAsciiHeaders(type(compat32)):
    """Django's policy (compat32), except that a header that fits on its line and is
    plain ASCII is written as it is: compat32 runs every header (17 in one of our
    messages, the MIME parts' included) through email.header.Header, the larger part of
    flattening a message, to produce the very same bytes for such a header."""

    def fold_binary(self, name, value):
        if (
            isinstance(value, str)
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_PLAIN_ASCII_HEADERS = _PlainAsciiHeaders()
_PLAIN_ASCII_HEADERS_CRLF = _PLAIN_ASCII_HEADERS.clone(linesep="\r\n")


def _boundary() -> str:
    """A MIME boundary in Python's form, with 19 random digits from the system's secure
    source: no body holds one by chance, nor can a sender guess one."""
    return f"{'=' * 15}{secrets.randbelow(10**19):019d}=="


def _flattened(mime) -> bytes:
    """The message as sent. A multipart message gets a random boundary first: left to
    the generator, it makes one and compiles a regular expression per message to check
    that no body holds it, a noticeable part of flattening (see _boundary)."""
    if mime.is_multipart():
        mime.set_boundary(_boundary())
    flat = io.BytesIO()
    BytesGenerator(flat, mangle_from_=False, policy=_PLAIN_ASCII_HEADERS).flatten(
        mime, linesep="\r\n"
    )
    return flat.getvalue()


# What a mail's header or body line may not be longer than (RFC 5322, 2.1.1).
_LINE_LIMIT = 998
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _flattened_plain(email: EmailMultiAlternatives) -> bytes | None:
    """The very bytes Django's message() and the generator make of a plain mail (a UTF-8
    text body, at most an HTML alternative, no attachment, copy or reply-to), written
    directly: building and flattening the library's MIME objects was the largest part of
    the worker's time per message (docs/benchmarks.md, "Delivery"). None for any other
    mail, or one with a header or a line that needs the library's folding or encoding;
    the library writes that one (feedback/tests/test_transports.py holds both equal)."""
    html = [content for content, mimetype in email.alternatives if mimetype == "text/html"]
    extra = {name.lower(): (name, str(value)) for name, value in email.extra_headers.items()}
    if (
        email.attachments
        or email.cc
        or email.bcc
        or email.reply_to
        or email.content_subtype != "plain"
        or len(email.alternatives) != len(html)
        or len(html) > 1
        or (email.encoding or settings.DEFAULT_CHARSET).lower() != "utf-8"
        or "message-id" not in extra
        or {"from", "to", "cc", "reply-to", "subject"} & set(extra)
    ):
        return None
    headers = [("Subject", email.subject), ("From", email.from_email), ("To", ", ".join(email.to))]
    if "date" not in extra:
        headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    headers += extra.values()
    written = []
    for name, value in headers:
        if "\n" in value or "\r" in value:
            return None  # the library refuses it (BadHeaderError)
        if name == "Subject" and not value.isascii():
            # As the library encodes and folds it.
            folded = _PLAIN_ASCII_HEADERS_CRLF.fold_binary(name, Header(value, "utf-8").encode())
            written.append(folded)
        elif value.isascii() and len(name) + 2 + len(value) <= 78:
            written.append(f"{name}: {value}\r\n".encode("ascii"))
        else:
            return None
    parts = [_plain_part(email.body, "plain"), *(_plain_part(body, "html") for body in html)]
    if None in parts:
        return None
    if not html:
        part_headers, body = parts[0]
        return part_headers + b"".join(written) + b"\r\n" + body
    boundary = _boundary()
    delimiter = f"\r\n--{boundary}\r\n".encode("ascii")
    return (
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
        "MIME-Version: 1.0\r\n".encode("ascii")
        + b"".join(written)
        + b"\r\n"
        + delimiter[2:]
        + delimiter.join(part_headers + b"\r\n" + body for part_headers, body in parts)
        + f"\r\n--{boundary}--\r\n".encode("ascii")
    )


def _plain_part(body: str, subtype: str) -> tuple[bytes, bytes] | None:
    """A text part's headers and body as the library writes a UTF-8 one whose lines all
    fit (7bit when it is ASCII, else 8bit); None when a line is too long for that."""
    encoded = "\r\n".join(_LINE_BREAK.split(body)).encode("utf-8")
    if any(len(line) > _LINE_LIMIT for line in encoded.split(b"\r\n")):
        return None
    encoding = "7bit" if body.isascii() else "8bit"
    headers = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n"
    )
    return headers.encode("ascii"), encoded


@functools.lru_cache(maxsize=4096)
def _envelope_address(address: str, encoding: str) -> str:
    """An address as the envelope's commands carry it ("<name@host>", as smtplib quotes
    it); kept, since the hiring contacts and the recruiters get many messages each, and
    parsing it is a noticeable part of a send."""
    return smtplib.quoteaddr(sanitize_address(address, encoding))


def _sendmail_awaiting_acceptance(
    smtp: smtplib.SMTP, sender: str, recipients: list[str], content: bytes
) -> None:
    """smtplib's sendmail, except that the server's answer to the end of the message is
    awaited longer than a command's. That answer is the moment the server takes the
    message: a client that stops waiting for it retries a message the server may already
    have, and it arrives twice (RFC 1047). RFC 5321 (4.5.3.2.6) asks a client to wait up
    to ten minutes; we wait half the delivery lease, so that the record of "sent" is
    written before another worker could take the message over."""
    smtp.ehlo_or_helo_if_needed()
    # smtplib's mail() and rcpt() would parse each address again to quote it: the
    # addresses come quoted (_envelope_address), so the commands are written here.
    size = f" size={len(content)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"from:{sender}{size}")
    code, reply = smtp.getreply()
    if code != 250:
        smtp._rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        smtp.putcmd("rcpt", f"to:{recipient}")
        code, reply = smtp.getreply()
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        smtp._rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    command_timeout = smtp.sock.gettimeout()
    smtp.sock.settimeout(settings.FEEDBACK["DELIVERY_LEASE"].total_seconds() / 2)
    try:
        code, reply = smtp.data(content)
    finally:
        if smtp.sock is not None:
            smtp.sock.settimeout(command_timeout)
    if code != 250:
        smtp._rset()
        raise smtplib.SMTPDataError(code, reply)


def _no_delay(connection) -> None:
    """Send each SMTP command at once. SMTP is a conversation of small writes, each waiting
    for its reply; with Nagle's algorithm on, a write that follows an unacknowledged one
    waits for the peer's delayed ACK (40 ms on Linux): a ceiling of ~25 messages a second
    per connection, whatever the server's speed."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


TRANSPORTS: dict[str, Transport] = {OutboundMessage.Channel.EMAIL: EmailTransport()}


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]


# The webhook channel's transport (feedback/webhooks/) raises TransportError and its
# services reach the delivery, which imports this module: registered once all of the
# above exists.
from .webhooks.transport import WebhookTransport  # noqa: E402

TRANSPORTS[OutboundMessage.Channel.WEBHOOK] = WebhookTransport()

from .sms.transport import SmsTransport  # noqa: E402

TRANSPORTS[OutboundMessage.Channel.SMS] = SmsTransport()
from .invites.transport import InviteTransport  # noqa: E402

TRANSPORTS[OutboundMessage.Channel.CALENDAR] = InviteTransport(
    TRANSPORTS[OutboundMessage.Channel.EMAIL]
)
