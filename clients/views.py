"""The client pages. Thin: the access decorator finds the contact, the selectors read
within its client, feedback.services takes the answers."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from core.ratelimit import rate_limit_allows
from core.signin import client_ip
from feedback import services as feedback_services
from feedback.forms import ClientFeedbackForm, initial_from
from feedback.models import Feedback

from . import selectors
from .access import client_contact_required
from .backends import is_client_user
from .forms import ClientLoginForm, ClientPasswordResetForm

EMAIL_BACKEND_PATH = "clients.backends.ClientEmailBackend"


@client_contact_required
@require_GET
def home(request):
    contact = request.client_contact
    now = timezone.now()
    overview = selectors.client_overview(contact=contact, now=now)
    return render(
        request,
        "clients/home.html",
        {
            "contact": contact,
            "nav": "home",
            "overview": overview,
            "awaiting": selectors.contact_requests_awaiting(
                contact=contact, now=now, size=selectors.HOME_AWAITING
            ),
            "responsiveness": selectors.client_responsiveness_recent(
                client=contact.client, now=now
            ),
            "now": now,
        },
    )


@client_contact_required
@require_GET
def position_detail(request, position_id: int):
    contact = request.client_contact
    summary = selectors.client_position_detail(
        contact=contact, position_id=position_id, page=request.GET.get("page", 1)
    )
    if summary is None:
        raise Http404("no such position for this client")
    return render(
        request,
        "clients/position_detail.html",
        {"contact": contact, "nav": "home", "summary": summary, "position": summary.position},
    )


@client_contact_required
@require_GET
def request_list(request):
    contact = request.client_contact
    now = timezone.now()
    return render(
        request,
        "clients/request_list.html",
        {
            "contact": contact,
            "nav": "requests",
            "awaiting": selectors.contact_requests_awaiting(
                contact=contact, page=request.GET.get("awaiting", 1), now=now
            ),
            "answered": selectors.contact_requests_answered(
                contact=contact, page=request.GET.get("answered", 1), now=now
            ),
            "now": now,
        },
    )


@client_contact_required
@require_http_methods(["GET", "POST"])
def request_answer(request, request_id: int):
    """Answer (or amend) one of the contact's own requests, in the page."""
    contact = request.client_contact
    feedback_request = selectors.contact_request_get(contact=contact, request_id=request_id)
    if feedback_request is None:
        raise Http404("no such request for this contact")
    answers = selectors.request_answers(request=feedback_request)
    current = answers[0] if answers and answers[0].is_current else None
    form_kwargs = {"submit_label": "Update my feedback"} if current else {}
    application = feedback_request.interview.application
    status = 200
    if request.method == "POST":
        form = ClientFeedbackForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                if not _answer_allowed(request.user):
                    raise feedback_services.TooManyAnswers(TOO_MANY_FOR_THE_SESSION)
                feedback_services.feedback_submit(
                    request=feedback_request,
                    answers=form.cleaned_data,
                    channel=Feedback.Channel.CLIENT_PAGE,
                )
            except feedback_services.FeedbackClosed as closed:
                raise Http404("the interview was cancelled") from closed
            except feedback_services.TooManyAnswers as refused:
                # Nothing was stored; the form keeps what was typed.
                form.add_error(None, str(refused))
                status = 429
            else:
                recruiter = application.position.recruiter
                messages.success(
                    request,
                    f"Thank you: your feedback on {application.candidate.full_name} has "
                    f"reached {recruiter.full_name}.",
                )
                return redirect("clients:home")
    else:
        feedback_services.feedback_request_mark_opened(request=feedback_request)
        form = ClientFeedbackForm(initial=initial_from(current, ClientFeedbackForm), **form_kwargs)
    return render(
        request,
        "clients/request_answer.html",
        {
            "contact": contact,
            "nav": "requests",
            "feedback_request": feedback_request,
            "interview": feedback_request.interview,
            "application": application,
            "position": application.position,
            "recruiter": application.position.recruiter,
            "form": form,
            "current": current,
            "earlier": [a for a in answers if not a.is_current],
        },
        status=status,
    )


TOO_MANY_FOR_THE_SESSION = (
    "You have sent a lot of feedback in the last minute. Please wait a minute, then send "
    "this again: what you typed is kept below."
)


def _answer_allowed(user) -> bool:
    """A signed-in contact gives at most CLIENT_ANSWERS_PER_MINUTE answers a minute, over
    all their requests and sessions: enough for a hiring manager going down their list,
    not for a script."""
    return rate_limit_allows(
        key=f"client-answers:{user.pk}",
        limit=settings.FEEDBACK["CLIENT_ANSWERS_PER_MINUTE"],
        window=timedelta(minutes=1),
    )


# --- signing in --------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "clients/registration/login.html"
    authentication_form = ClientLoginForm
    next_page = reverse_lazy("clients:home")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("clients:login")


def _reset_sender(group, request) -> str:
    return client_ip(request) or "unknown"


def _reset_address(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


class PasswordResetView(auth_views.PasswordResetView):
    """Queues the mail (ClientPasswordResetForm.save); at most PASSWORD_RESET_RATE_PER_IP
    requests from one sender and PASSWORD_RESET_RATE_PER_ADDRESS for one address."""

    template_name = "clients/registration/password_reset_form.html"
    form_class = ClientPasswordResetForm
    success_url = reverse_lazy("clients:password_reset_done")
    title = "Reset your password"

    def post(self, request, *args, **kwargs):
        limits = (
            ("sender", _reset_sender, settings.PASSWORD_RESET_RATE_PER_IP),
            ("address", _reset_address, settings.PASSWORD_RESET_RATE_PER_ADDRESS),
        )
        # Every limit counts this request (no short cut), whichever trips.
        tripped = [
            is_ratelimited(
                request, group=f"clients.password_reset.{name}", key=key, rate=rate, increment=True
            )
            for name, key, rate in limits
        ]
        if any(tripped):
            return render(request, "clients/registration/password_reset_limited.html", status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "clients/registration/password_reset_done.html"


class ClientUserOnly:
    """A set-password link opens only for a client contact's login, never a staff one."""

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and is_client_user(user) else None


class PasswordResetConfirmView(ClientUserOnly, auth_views.PasswordResetConfirmView):
    template_name = "clients/registration/password_reset_confirm.html"
    success_url = reverse_lazy("clients:password_reset_complete")
    title = "Choose a new password"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "clients/registration/password_reset_complete.html"


class InvitationAcceptView(ClientUserOnly, auth_views.PasswordResetConfirmView):
    """The invitation's link: choose a password, and you are signed in."""

    template_name = "clients/registration/invitation_confirm.html"
    success_url = reverse_lazy("clients:home")
    post_reset_login = True
    post_reset_login_backend = EMAIL_BACKEND_PATH
    title = "Welcome: choose your password"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Welcome!")
        return response
