"""The desks kept on feedback requests: a request's `desk` (the candidate's owner for the
candidate's request, the position's recruiter for the client's) and its `position`.

candidates keeps its own copies (applications, interviews) and, having moved them, sends
candidates.signals.desks_changed inside its transaction; FeedbackConfig.ready connects
`follow_desks` to it, so the requests move in the same transaction. (candidates cannot
call feedback: it imports no other app.)
"""

from candidates.models import Application, Candidate, Position

from ..models import FeedbackRequest, Party


def desks_follow_candidate(*, candidate: Candidate) -> None:
    """The candidate's owner changed: the candidate's requests move to the new desk."""
    FeedbackRequest.objects.filter(
        interview__application__candidate=candidate, party=Party.CANDIDATE
    ).update(desk_id=candidate.owner_id)


def desks_follow_position(*, position: Position) -> None:
    """The position's recruiter changed: the client's requests move to the new desk."""
    FeedbackRequest.objects.filter(
        interview__application__position=position, party=Party.CLIENT
    ).update(desk_id=position.recruiter_id)


def desks_follow_application(*, application: Application, position_recruiter_id: int) -> None:
    """The application was saved (maybe for another candidate or position): both sides'
    requests take its desks and its position."""
    requests = FeedbackRequest.objects.filter(interview__application=application)
    requests.filter(party=Party.CANDIDATE).update(
        desk_id=application.candidate_owner_id, position_id=application.position_id
    )
    requests.filter(party=Party.CLIENT).update(
        desk_id=position_recruiter_id, position_id=application.position_id
    )


def follow_desks(sender, **kwargs) -> None:
    """Receiver of candidates.signals.desks_changed (see the module)."""
    if sender is Candidate:
        desks_follow_candidate(candidate=kwargs["candidate"])
    elif sender is Position:
        desks_follow_position(position=kwargs["position"])
    elif sender is Application:
        desks_follow_application(
            application=kwargs["application"],
            position_recruiter_id=kwargs["position_recruiter_id"],
        )
