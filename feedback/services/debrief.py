"""The two-sided debrief: when both sides' answers disagree, the application goes on the
recruiter's call list and the candidate's recruiter is alerted once.
"""

from datetime import datetime

from candidates import services as candidate_services
from candidates.models import Application

from ..models import (
    REQUEST_PEOPLE,
    Feedback,
    FeedbackRequest,
    OutboundMessage,
    Party,
    TimelineEvent,
)
from ..rules import debrief_reason_for
from .messages import _context, _recruiter_for
from .outbox import _queue_message
from .timeline import timeline_record

Kind = OutboundMessage.Kind


def _debrief_check(
    *,
    request: FeedbackRequest,
    feedback: Feedback,
    now: datetime,
    application: Application | None = None,
    other: Feedback | None | object = ...,
) -> None:
    """With both sides' answers in for an interview and in disagreement, put the
    application on the recruiter's call list and alert the candidate's recruiter once.

    Once flagged, further disagreeing amendments only update the reason until the call is
    logged (which clears the flag); the outbox row is unique per pair of answers.
    """
    interview = request.interview
    # The application locked: when both sides answer at once, the second to take the lock
    # sees the first one's committed answer. `application`: locked by the caller already.
    if application is None:
        application = Application.objects.select_for_update().get(pk=interview.application_id)
    if other is ...:  # `other`: the other side's current answer, read by the caller
        other = (
            Feedback.objects.filter(request__interview=interview, is_current=True)
            .exclude(request__party=request.party)
            .select_related("request")
            .first()
        )
    if other is None:
        return
    candidate_answer, client_answer = (
        (feedback, other) if request.party == Party.CANDIDATE else (other, feedback)
    )
    why = debrief_reason_for(candidate=candidate_answer, client=client_answer)
    if not why:
        return
    reason = f"Round {interview.round}: {why}"[:300]
    if application.debrief_needed_at is not None:
        candidate_services.application_set_debrief_reason(application=application, reason=reason)
        return
    if not candidate_services.application_flag_debrief(
        application=application, reason=reason, now=now
    ):
        return
    timeline_record(
        application=application,
        request=request,
        kind=TimelineEvent.Kind.DEBRIEF_NEEDED,
        summary=f"Debrief needed. {reason}",
        data={
            "interview_id": interview.pk,
            "candidate_feedback_id": candidate_answer.pk,
            "client_feedback_id": client_answer.pk,
        },
        now=now,
    )
    # Read with the people the alert names (the answer path read the request alone).
    candidate_request = FeedbackRequest.objects.select_related(*REQUEST_PEOPLE).get(
        pk=candidate_answer.request_id
    )
    _queue_message(
        request=candidate_request,
        kind=Kind.DEBRIEF_ALERT,
        recipient=_recruiter_for(candidate_request).email,
        template="candidate_debrief_alert",
        context=_context(
            request=candidate_request,
            reason=why,
            candidate_feedback=candidate_answer,
            client_feedback=client_answer,
        ),
        dedupe_key=f"pair-{candidate_answer.pk}-{client_answer.pk}",
        now=now,
    )
