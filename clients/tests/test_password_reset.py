"""The client pages' password reset: the mail goes through the outbox (so a known address
answers like an unknown one), and requests are limited per address and per sender."""

import pytest
from django.test import override_settings
from django.urls import reverse

from feedback import services as feedback_services
from feedback.models import OutboundMessage
from tests.factories import contact_with_login

pytestmark = pytest.mark.django_db

RESET = reverse("clients:password_reset")


def resets():
    return OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PASSWORD_RESET)


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_the_known_a_mail(
    anonymous, smtp_mail
):
    contact_with_login(email="tom@prairie.example")

    known = anonymous.post(RESET, {"email": "Tom@Prairie.example"})
    unknown = anonymous.post(RESET, {"email": "nobody@nowhere.example"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    assert smtp_mail.messages == []  # nothing was sent inside the request
    [message] = resets()
    assert message.recipient == "tom@prairie.example"
    assert feedback_services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    [mail] = smtp_mail.wait_for(lambda messages: messages, timeout=10)
    assert mail["To"] == "tom@prairie.example"
    assert "/clients/reset/" in mail.get_body(preferencelist=("plain",)).get_content()


@override_settings(PASSWORD_RESET_RATE_PER_ADDRESS="3/h")
def test_one_address_gets_three_reset_mails_an_hour_then_a_wait(anonymous):
    contact_with_login(email="tom@prairie.example")
    answers = [
        anonymous.post(RESET, {"email": email}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n, email in enumerate(["tom@prairie.example", "TOM@prairie.example"] * 3)
    ]
    assert answers == [302, 302, 302, 429, 429, 429]
    assert resets().count() == 3
    page = anonymous.post(RESET, {"email": "tom@prairie.example"}, REMOTE_ADDR="10.0.1.1")
    assert "try again in an hour" in page.content.decode()


@override_settings(PASSWORD_RESET_RATE_PER_IP="10/h")
def test_one_sender_gets_ten_reset_requests_an_hour(anonymous):
    for n in range(10):
        contact_with_login(email=f"contact{n}@prairie.example")
    answers = [
        anonymous.post(RESET, {"email": f"contact{n}@prairie.example"}).status_code
        for n in range(10)
    ]
    assert answers == [302] * 10
    assert anonymous.post(RESET, {"email": "contact0@prairie.example"}).status_code == 429
    # Another sender is not held up by this one.
    other = anonymous.post(RESET, {"email": "contact1@prairie.example"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302
    assert resets().count() == 11
