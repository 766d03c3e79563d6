"""The agency's wording of the texts (SMS): an edit in the admin changes the next text
sent, one version a line and the first that fits one segment sent; a broken text is
refused on save; reset brings the shipped text back; the preview shows the versions and
the one sent on a real request."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode

from feedback.models import MessageWording, OutboundMessage
from feedback.services import wording as wording_services
from feedback.sms.segments import segments
from feedback.wording.admin import SMS_HELP
from feedback.wording.catalog import BY_KEY
from feedback.wording.rendering import shipped_source
from tests.fake_twilio import signed_post

from .test_sms import NUMBER, asked_by, deliver, outbox

pytestmark = pytest.mark.django_db

# Longer than one segment, so the next line is the one sent.
LONG = "Hello {{ candidate.first_name }}, " + "a very long way of asking " * 8 + "{{ link }}"
SHORT = "Ours: how keen, {{ candidate.first_name }}? {{ link }}"


def add_url(key: str) -> str:
    return reverse("admin:feedback_messagewording_add") + "?" + urlencode({"key": key})


def preview_url(key: str) -> str:
    return reverse("admin:feedback_messagewording_preview") + "?" + urlencode({"key": key})


def sent_ask(interview_end, twilio) -> tuple[str, str]:
    """The text the next candidate asked by SMS receives, and their first name."""
    interview = asked_by(interview_end)
    (text,) = outbox("sms")
    assert deliver(text) == "sent"
    (sent,) = twilio.to(NUMBER)
    return sent["body"], interview.application.candidate.first_name


def test_an_edit_in_the_admin_changes_the_next_text_sent(interview_end, twilio, recruiter):
    response = recruiter.post(
        add_url("sms_candidate_request"),
        {"key": "sms_candidate_request", "body_text": f"{LONG}\n{SHORT}"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    body, first_name = sent_ask(interview_end, twilio)
    assert body.startswith(f"Ours: how keen, {first_name}? http")
    assert segments(body) == 1
    assert MessageWording.objects.get().updated_by == recruiter.user


def test_the_answer_to_help_follows_the_agencys_wording(interview_end, twilio, client, settings):
    asked_by(interview_end)
    wording_services.message_wording_save(
        key="sms_help", sources={"body_text": "{{ agency_name }} here: {{ agency_phone }}"}
    )
    params = {
        "MessageSid": "SMin" + "1" * 30,
        "From": NUMBER,
        "To": "+15005550006",
        "Body": "HELP",
        "AccountSid": "AC" + "0" * 32,
    }
    signed_post(client, "/hooks/sms/twilio/", params, site_url=settings.SITE_URL)
    answers = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.AUTO_REPLY, channel="sms")
    assert [message.body_text for message in answers] == [
        f"{settings.AGENCY_NAME} here: {settings.AGENCY_PHONE}"
    ]


@pytest.mark.parametrize("source", ["{% if %}x{% endif %}", '{% include "x.txt" %}'])
def test_a_broken_text_is_refused_on_save_with_the_error(source, recruiter):
    with pytest.raises(ValidationError) as refused:
        wording_services.message_wording_save(
            key="sms_candidate_reminder", sources={"body_text": source}
        )
    assert "This template cannot be used" in refused.value.message_dict["body_text"][0]
    response = recruiter.post(
        add_url("sms_candidate_reminder"),
        {"key": "sms_candidate_reminder", "body_text": source},
    )
    assert response.status_code == 200
    assert "This template cannot be used" in response.content.decode()
    assert not MessageWording.objects.exists()


def test_reset_brings_the_shipped_text_back(interview_end, twilio, recruiter):
    wording_services.message_wording_save(key="sms_candidate_request", sources={"body_text": SHORT})
    reset = reverse("admin:feedback_messagewording_reset") + "?key=sms_candidate_request"
    assert recruiter.post(reset).status_code == 302
    assert not MessageWording.objects.exists()
    body, _ = sent_ask(interview_end, twilio)
    assert "Ours" not in body
    assert "Reply 1-10" in body


def test_the_form_edits_the_text_only_and_says_how_versions_work(recruiter):
    form = recruiter.get(add_url("sms_opted_out")).content.decode()
    assert 'name="body_text"' in form
    assert 'name="subject"' not in form
    assert 'name="body_html"' not in form
    assert SMS_HELP.split(":")[0] in form
    # It starts from the shipped file, which needs no autoescape wrapper: a text is
    # written unescaped by the wording engine.
    shipped = shipped_source(key="sms_opted_out", part="body_text")
    assert "Reply START to receive them again" in shipped
    assert "autoescape" not in shipped


def test_the_preview_shows_each_version_its_segments_and_the_one_sent(asked, recruiter):
    candidate = asked.application.candidate
    response = recruiter.post(
        preview_url("sms_candidate_request"), {"body_text": f"{LONG}\n{SHORT}"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Hello {candidate.first_name}, a very long way" in html
    assert f"Ours: how keen, {candidate.first_name}?" in html
    preview = wording_services.message_wording_preview(
        key="sms_candidate_request", sources={"body_text": f"{LONG}\n{SHORT}"}
    )
    assert [count for _, count in preview.versions] == [2, 1]
    assert preview.chosen == preview.versions[1][0]
    assert html.count("<td>sent</td>") == 1
    # The variables a text may use, the short link and the agency's phone among them.
    names = [name for name, _ in preview.variables]
    assert {"candidate.first_name", "link", "recruiter_name", "agency_phone"} <= set(names)
    assert not MessageWording.objects.exists()


def test_a_saved_text_opens_in_its_form_with_the_variables_it_may_use(asked, recruiter):
    row = wording_services.message_wording_save(
        key="sms_candidate_unread", sources={"body_text": "Sorry {{ candidate.first_name }}"}
    )
    form = recruiter.get(reverse("admin:feedback_messagewording_change", args=[row.pk]))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Sorry {{ candidate.first_name }}" in html
    assert "{{ recruiter_name }}" in html
    assert 'name="subject"' not in html


def test_the_keys_of_the_texts_are_their_own():
    texts = [key for key, wording in BY_KEY.items() if wording.sms]
    assert sorted(texts) == [
        "sms_candidate_reminder",
        "sms_candidate_request",
        "sms_candidate_unread",
        "sms_help",
        "sms_opted_in",
        "sms_opted_out",
    ]
