"""Writing a message's text: from compiled templates, with what its context names made
harmless (the plain context of feedback/wording/context.py)."""

import pytest
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader

from feedback.models import REQUEST_PEOPLE, FeedbackRequest, Party
from feedback.services.messages import _context, _rendered
from tests.factories import ApplicationFactory, CandidateFactory, request_of, schedule_interview

pytestmark = pytest.mark.django_db


def test_templates_are_compiled_once_per_process():
    loaders = engines["django"].engine.template_loaders

    assert [type(loader) for loader in loaders] == [CachedLoader]


@pytest.fixture
def request_with_people(interview_end):
    candidate = CandidateFactory(first_name="Casey\nBcc: someone@else.example")
    interview = schedule_interview(
        application=ApplicationFactory(candidate=candidate), ends_at=interview_end
    )
    return FeedbackRequest.objects.select_related(*REQUEST_PEOPLE).get(
        pk=request_of(interview, Party.CANDIDATE).pk
    )


def test_a_name_with_a_line_break_stays_on_its_line_in_the_message(request_with_people):
    text = _rendered(template="candidate_request", context=_context(request=request_with_people))

    assert "\nBcc:" not in text["body_text"]
    assert "\nBcc:" not in text["subject"]
