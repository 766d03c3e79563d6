"""Answer pages opened from a signed link: the candidate portal and the client's link.

Thin: resolve the link, show or take the form, hand the answer to the service. Every
bad link gets a clear page with a 4xx status.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services, tokens
from .forms import FORM_FOR_PARTY, initial_from
from .models import Feedback, FeedbackRequest, Party

CHANNEL_FOR_PARTY = {Party.CANDIDATE: Feedback.Channel.PORTAL, Party.CLIENT: Feedback.Channel.EMAIL}


def _open_link(request, *, party: str, token: str):
    """The request behind a link, with the people its page names, or the response that
    explains why it cannot open."""
    try:
        feedback_request = selectors.feedback_request_get_by_token(party=party, token=token)
    except tokens.LinkExpired as expired:
        stale = selectors.feedback_request_for_expired_link(
            party=party, token_key=expired.token_key
        )
        return None, render(
            request, "feedback/link_expired.html", {"feedback_request": stale}, status=410
        )
    except tokens.LinkInvalid:
        return None, render(request, "feedback/link_invalid.html", status=404)
    if feedback_request.status == FeedbackRequest.Status.CANCELLED:
        return None, _cancelled(request, feedback_request)
    return feedback_request, None


def _cancelled(request, feedback_request):
    return render(
        request, "feedback/link_cancelled.html", {"feedback_request": feedback_request}, status=410
    )


def _page_context(feedback_request: FeedbackRequest, **extra) -> dict:
    application = feedback_request.interview.application
    context = {
        "feedback_request": feedback_request,
        "interview": feedback_request.interview,
        "application": application,
        "position": application.position,
        "client": application.position.client,
        "now": timezone.now(),
        **extra,
    }
    if feedback_request.party == Party.CANDIDATE:
        candidate = application.candidate
        context.update(
            candidate=candidate,
            recruiter=candidate.owner,
            upcoming=selectors.candidate_upcoming_interviews(candidate=candidate),
            other_pending=selectors.candidate_pending_requests(
                candidate=candidate, exclude=feedback_request
            ),
        )
    else:
        context.update(recruiter=application.position.recruiter)
    return context


@never_cache
@require_http_methods(["GET", "HEAD"])
def short_link(request, code: str):
    """A text's short link: on to the signed link it stands for."""
    link = selectors.feedback_request_link_for_short(code=code[:40])
    if link is None:
        raise Http404("No such link.")
    return redirect(link)


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_form(request, token: str, party: str):
    form_class = FORM_FOR_PARTY[party]
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            # A valid answer reads the request once, as the service locks it by the link's
            # key; a link that cannot take it gets its page from _open_link below.
            try:
                services.feedback_submit_by_link(
                    party=party,
                    token_key=tokens.token_unsign(party=party, token=token),
                    answers=form.cleaned_data,
                    channel=CHANNEL_FOR_PARTY[party],
                )
            except (tokens.LinkInvalid, tokens.LinkExpired, services.FeedbackClosed):
                pass
            except services.TooManyAnswers as refused:
                # Nothing was stored; the form keeps what was typed.
                form.add_error(None, str(refused))
                status = 429
            else:
                return redirect(reverse(f"{_namespace(party)}:thanks", kwargs={"token": token}))
        feedback_request, refusal = _open_link(request, party=party, token=token)
        if refusal:
            return refusal
        current = selectors.feedback_current(request=feedback_request)
        if current:
            form.relabel_submit("Update my answer")
    else:
        feedback_request, refusal = _open_link(request, party=party, token=token)
        if refusal:
            return refusal
        current = selectors.feedback_current(request=feedback_request)
        form_kwargs = {"submit_label": "Update my answer"} if current else {}
        services.feedback_request_mark_opened(request=feedback_request)
        form = form_class(initial=initial_from(current, form_class), **form_kwargs)
    return render(
        request,
        f"feedback/{party}_form.html",
        _page_context(feedback_request, form=form, current=current, token=token),
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
def feedback_thanks(request, token: str, party: str):
    feedback_request, refusal = _open_link(request, party=party, token=token)
    if refusal:
        return refusal
    current = selectors.feedback_current(request=feedback_request)
    if current is None:
        return redirect(reverse(f"{_namespace(party)}:feedback", kwargs={"token": token}))
    return render(
        request,
        "feedback/thanks.html",
        _page_context(feedback_request, current=current, token=token),
    )


def _namespace(party: str) -> str:
    return "portal" if party == Party.CANDIDATE else "clients"
