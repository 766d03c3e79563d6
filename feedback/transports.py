"""How a message leaves the building: one small interface, one error type.

A transport's `send` either returns (the message was accepted) or raises
TransportError saying whether trying again could help.
"""

import contextlib
import smtplib
import socket
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

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

    def send(self, message: OutboundMessage) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            to=[message.recipient],
            headers={"Message-ID": message.message_id, "X-TVR-Outbox-Id": str(message.pk)},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
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

    def _send_on_open_connection(self, email) -> None:
        for attempt in (1, 2):
            self._open_if_needed()
            try:
                # Not opened by send_messages, so not closed by it: the connection stays up.
                self._connection.send_messages([email])
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
            connection = get_connection(fail_silently=False)
            connection.open()
            _no_delay(connection)
            self._connection, self._settings_key = connection, key

    def reset(self) -> None:
        if self._connection is not None:
            # Closing a broken connection may fail too; it is being dropped either way.
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None


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
