"""How a message leaves the building: one small interface, one error type.

A transport's `send` either returns (the message was accepted) or raises
TransportError saying whether trying again could help.
"""

import smtplib
from typing import Protocol

from django.core.mail import EmailMultiAlternatives

from .models import OutboundMessage


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: OutboundMessage) -> None: ...


class EmailTransport:
    """Sends through Django's configured email backend (SMTP from EMAIL_URL, console, …)."""

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
            email.send(fail_silently=False)
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


TRANSPORTS: dict[str, Transport] = {OutboundMessage.Channel.EMAIL: EmailTransport()}


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]
