"""The invite transport: an outbox row of channel "calendar" sent as a mail whose
alternative part is the iCalendar text (text/calendar with its METHOD, as iMIP asks,
RFC 6047 2.4). It goes through the email transport's open connection and its error handling."""

from django.core.mail import EmailMultiAlternatives

from ..models import OutboundMessage


def _method(calendar_text: str) -> str:
    for line in calendar_text.splitlines():
        if line.startswith("METHOD:"):
            return line.split(":", 1)[1].strip()
    return "REQUEST"


class InviteTransport:
    def __init__(self, email_transport):
        self._email = email_transport

    def send(self, message: OutboundMessage) -> None:
        method = _method(message.body_calendar)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            to=[message.recipient],
            headers={"Message-ID": message.message_id, "X-TVR-Outbox-Id": str(message.pk)},
        )
        email.attach_alternative(
            message.body_calendar, f"text/calendar; method={method}; charset=utf-8"
        )
        self._email.send_email(email)
