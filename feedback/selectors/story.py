"""An application's whole story: its interviews with both parties' requests and every
answer, and the timeline of who did what when (the admin's application page)."""

from dataclasses import dataclass

from django.db.models import Prefetch

from candidates.models import Application, Interview

from ..models import Feedback, FeedbackRequest, TimelineEvent


@dataclass(frozen=True)
class TimelineEntry:
    event: TimelineEvent
    who: str  # the acting user, the party who answered, or "System"


@dataclass(frozen=True)
class RequestStory:
    request: FeedbackRequest
    answers: list[Feedback]  # newest first; the first is the current one, if any


@dataclass(frozen=True)
class InterviewStory:
    interview: Interview
    requests: list[RequestStory]  # candidate first, then client


@dataclass(frozen=True)
class ApplicationStory:
    interviews: list[InterviewStory]
    timeline: list[TimelineEntry]  # newest first


def _who(event: TimelineEvent) -> str:
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    if event.request is not None and event.kind in (
        TimelineEvent.Kind.FEEDBACK_RECEIVED,
        TimelineEvent.Kind.FEEDBACK_AMENDED,
    ):
        return event.request.get_party_display()
    return "System"


def application_story(*, application: Application, timeline_limit: int = 200) -> ApplicationStory:
    """Interviews with both parties' requests and every answer (amendments kept), and the
    timeline of who did what when: four queries, whatever the history."""
    answers = Feedback.objects.select_related("entered_by").order_by("-submitted_at", "-pk")
    interviews = application.interviews.order_by("starts_at", "pk").prefetch_related(
        Prefetch(
            "feedback_requests",
            queryset=FeedbackRequest.objects.order_by("party").prefetch_related(
                Prefetch("answers", queryset=answers)
            ),
        )
    )
    events = application.timeline.select_related("actor", "request").order_by("-created_at", "-id")[
        :timeline_limit
    ]
    return ApplicationStory(
        interviews=[
            InterviewStory(
                interview=interview,
                requests=[
                    RequestStory(request=request, answers=list(request.answers.all()))
                    for request in interview.feedback_requests.all()
                ],
            )
            for interview in interviews
        ],
        timeline=[TimelineEntry(event=event, who=_who(event)) for event in events],
    )
