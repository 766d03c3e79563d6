"""Writing a message's text: from compiled templates, with every row its context names
made harmless once."""

import pytest
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader

from feedback.models import REQUEST_PEOPLE, FeedbackRequest, Party
from feedback.services.messages import _context, _harmless, _rendered
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


def test_a_row_reached_by_several_paths_is_copied_once_and_cleaned_everywhere(
    request_with_people,
):
    context = _context(request=request_with_people)
    copies: dict = {}
    safe = {name: _harmless(value, copies=copies) for name, value in context.items()}

    through_request = safe["request"].interview.application.candidate
    assert through_request is safe["candidate"]
    assert safe["application"].candidate is safe["candidate"]
    assert "\n" not in through_request.first_name
    # The rows themselves are left as they were.
    assert "\n" in context["candidate"].first_name


def test_a_name_with_a_line_break_stays_on_its_line_in_the_message(request_with_people):
    text = _rendered(template="candidate_request", context=_context(request=request_with_people))

    assert "\nBcc:" not in text["body_text"]
    assert "\nBcc:" not in text["subject"]
