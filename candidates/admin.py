"""The recruiter's admin for who, where and when.

Thin: plain data is edited in place, but anything that moves the feedback loop (creating,
rescheduling, completing or cancelling an interview) goes through candidates.services, so
requests are planned and the timeline records who did it.
"""

import zoneinfo
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from clients.selectors import (
    IN_PROCESS,
    clients_in_process_counts_recent,
    feedback_shared_parts,
)
from core.admin_actions import action_page, change_url, next_url, object_or_404
from core.admin_filters import StrictListFilter
from core.admin_input import CheckedChangeList, IdAutocompleteMixin
from core.admin_rows import CheapRowsMixin
from core.paginators import BigTableMixin
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.models import FeedbackRequest, Party
from feedback.templatetags.recruiter_desk import duration, tel

from . import services
from .admin_filters import day_start, recruiter_filter, user_time_zone, when_filter
from .models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Interview,
    Position,
    Recruiter,
)


def subquery_count(queryset, *, group_by: str):
    """COUNT(*) of `queryset` (filtered on an OuterRef) as a column: one subquery per row,
    no join that would multiply the outer rows."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def applications_in_process(*, via: str):
    """How many applications are in process for each row, `via` being the application's
    field that points at the row ("position", "candidate", "position__client")."""
    return subquery_count(
        Application.objects.filter(**{via: OuterRef("pk")}, stage__in=IN_PROCESS),
        group_by=via,
    )


def phone_link(phone: str) -> str:
    return format_html('<a href="{}">{}</a>', tel(phone), phone) if phone else "–"


def with_next(url: str, next_to: str) -> str:
    return f"{url}?{urlencode({'next': next_to})}"


class ExistsFilter(StrictListFilter):
    """A yes/no filter on whether a related row exists (no join, no DISTINCT)."""

    def related(self, request):  # a queryset filtered on OuterRef("pk")
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        exists = Exists(self.related(request))
        return queryset.filter(exists if self.value() == "yes" else ~exists)


class ReadOnlyInline(admin.TabularInline):
    """Shows related rows with a link to their own page; they are changed there."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- people and organisations -----------------------------------------------------------


@admin.register(Recruiter)
class RecruiterAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "office_phone", "cell_phone", "time_zone"]
    list_select_related = ["user"]
    search_fields = [
        "user__first_name",
        "user__last_name",
        "user__username",
        "user__email",
    ]
    autocomplete_fields = ["user"]

    @admin.display(description="Name", ordering="user__last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Email", ordering="user__email")
    def email(self, obj):
        return obj.email


class ClientContactInline(IdAutocompleteMixin, admin.TabularInline):
    model = ClientContact
    extra = 0
    fields = ["name", "title", "email", "phone", "time_zone", "user"]
    autocomplete_fields = ["user"]


class ClientFeedbackOverdueFilter(ExistsFilter):
    title = "client feedback overdue"
    parameter_name = "overdue"

    def related(self, request):
        return FeedbackRequest.objects.filter(
            interview__application__position__client=OuterRef("pk"),
            party=Party.CLIENT,
            status=FeedbackRequest.Status.OVERDUE,
        )


@admin.register(Client)
class ClientAdmin(CheapRowsMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "city",
        "open_positions",
        "in_process",
        "feedback_overdue",
        "time_zone",
    ]
    list_filter = ["kind", ClientFeedbackOverdueFilter]
    search_fields = ["name", "city", "kind"]
    readonly_fields = ["created_at"]
    inlines = [ClientContactInline]
    list_per_page = 50  # as the big lists (core.paginators.BigTableMixin): rendering

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_positions_count=subquery_count(
                    Position.objects.filter(client=OuterRef("pk"), status=Position.Status.OPEN),
                    group_by="client",
                ),
            )
        )

    @admin.display(description="Open positions", ordering="open_positions_count")
    def open_positions(self, obj):
        return obj.open_positions_count

    @admin.display(description="Candidates in process")
    def in_process(self, obj):
        return obj.in_process_count

    def get_changelist(self, request, **kwargs):
        return ClientChangeList

    @admin.display(description="Their feedback overdue (30 days)")
    def feedback_overdue(self, obj):
        if not obj.overdue_count:
            return "–"
        url = reverse("admin:feedback_feedbackrequest_changelist")
        query = urlencode(
            {
                "party__exact": "client",
                "status__exact": "overdue",
                "due": f"past{OVERDUE_DAYS}",
                "interview__application__position__client__id__exact": obj.pk,
            }
        )
        return format_html('<a href="{}?{}"><strong>{}</strong></a>', url, query, obj.overdue_count)


# The client list counts client feedback that went overdue in the last 30 days, the
# feedback request list's "deadline: past 30 days" (the count links there). Counting every
# overdue request ever, per client, goes through four joins for each of them: seconds
# once there are 100k+ requests, and a years-old overdue answer is nothing to chase.
OVERDUE_DAYS = 30


class ClientChangeList(CheckedChangeList):
    def get_results(self, request):
        super().get_results(request)
        clients = list(self.result_list)  # the page's rows (fills the queryset's cache)
        ids = [client.pk for client in clients]
        # One grouped query per column for the page's clients: a per-row subquery through
        # the positions ran once per client and took seconds.
        in_process = clients_in_process_counts_recent(client_ids=ids)
        overdue = feedback_selectors.client_feedback_overdue_counts(
            client_ids=ids, since=day_start(request.user, -OVERDUE_DAYS), now=timezone.now()
        )
        for client in clients:
            client.in_process_count = in_process.get(client.pk, 0)
            client.overdue_count = overdue.get(client.pk, 0)


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "client", "email", "phone", "has_login"]
    list_filter = ["client"]
    list_select_related = ["client", "user"]
    search_fields = ["name", "email", "title", "client__name"]
    autocomplete_fields = ["client", "user"]

    @admin.display(description="Can log in", boolean=True, ordering="user")
    def has_login(self, obj):
        return obj.user_id is not None


class ApplicationInline(ReadOnlyInline):
    model = Application
    fields = ["candidate", "position", "stage", "interest_level", "interest_status"]
    readonly_fields = fields


@admin.register(Position)
class PositionAdmin(CheapRowsMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "client",
        "location",
        "recruiter",
        "hiring_contact",
        "status",
        "in_process",
        "created_at",
    ]
    list_filter = ["status", "client", recruiter_filter("recruiter"), "created_at"]
    list_select_related = ["client", "recruiter__user", "hiring_contact__client"]
    search_fields = ["title", "location", "client__name"]
    autocomplete_fields = ["client", "recruiter", "hiring_contact"]
    readonly_fields = ["created_at"]
    inlines = [ApplicationInline]
    list_per_page = 50  # as the big lists (core.paginators.BigTableMixin): rendering

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(in_process_count=applications_in_process(via="position"))
        )

    @admin.display(description="Candidates in process", ordering="in_process_count")
    def in_process(self, obj):
        return obj.in_process_count

    def save_model(self, request, obj, form, change):
        services.position_save(position=obj, changed=form.changed_data if change else [])


class CandidateInterestFilter(StrictListFilter):
    """Candidates with an application in process at this interest status."""

    title = "interest status (in process)"
    parameter_name = "interest"

    def lookups(self, request, model_admin):
        return Application.InterestStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in Application.InterestStatus.values:
            return queryset
        return queryset.filter(
            Exists(
                Application.objects.filter(
                    candidate=OuterRef("pk"), stage__in=IN_PROCESS, interest_status=self.value()
                )
            )
        )


@admin.register(Candidate)
class CandidateAdmin(BigTableMixin, admin.ModelAdmin):
    list_display = [
        "full_name",
        "specialty",
        "call",
        "email",
        "time_zone",
        "owner",
        "in_process",
        "created_at",
    ]
    list_filter = [
        recruiter_filter("owner", title="owner", parameter="owner"),
        CandidateInterestFilter,
        "consent_email",
        "consent_sms",
        "created_at",
    ]
    list_select_related = ["owner__user"]
    search_fields = ["first_name", "last_name", "email", "phone", "specialty"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at"]
    inlines = [ApplicationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(in_process_count=applications_in_process(via="candidate"))
        )

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Phone", ordering="phone")
    def call(self, obj):
        return phone_link(obj.phone)

    @admin.display(description="In process", ordering="in_process_count")
    def in_process(self, obj):
        return obj.in_process_count

    def save_model(self, request, obj, form, change):
        services.candidate_save(candidate=obj, changed=form.changed_data if change else [])


# --- applications -----------------------------------------------------------------------


def interest_badge(application: Application) -> str:
    level = f"{application.interest_level}/10" if application.interest_level else "–"
    status = application.get_interest_status_display()
    if application.interest_status == Application.InterestStatus.POSSIBLY_WANED:
        # The one state the recruiter must act on (call the candidate): make it stand out.
        return format_html(
            '<strong>{}</strong> · <strong style="color:#ba2121">{}</strong>', level, status
        )
    return format_html("<strong>{}</strong> · {}", level, status)


def local_text(moment, time_zone: str) -> str:
    """A moment in a named time zone, saying which: "Tue 03 Mar 2026 09:00 CST"."""
    if moment is None:
        return "–"
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).strftime("%a %d %b %Y %H:%M %Z")


class NeedsCallFilter(StrictListFilter):
    """The dashboard's call list as a filter (feedback.selectors.applications_to_call)."""

    title = "on the call list"
    parameter_name = "call"

    def lookups(self, request, model_admin):
        return [("yes", "Yes")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=feedback_selectors.applications_to_call().values("pk"))


class ApplicationFeedbackOverdueFilter(StrictListFilter):
    title = "feedback overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("any", "Either side"), *Party.choices]

    def queryset(self, request, queryset):
        if self.value() not in ("any", *Party.values):
            return queryset
        overdue = FeedbackRequest.objects.filter(
            interview__application=OuterRef("pk"), status=FeedbackRequest.Status.OVERDUE
        )
        if self.value() != "any":
            overdue = overdue.filter(party=self.value())
        return queryset.filter(Exists(overdue))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        required=False,
        help_text="Optional; kept on the timeline, e.g. “accepted another offer”.",
    )


@dataclass(frozen=True)
class RequestCard:
    """One party's request on the application page, with what the recruiter can do."""

    story: feedback_selectors.RequestStory
    shared: list  # what the client sees of the current candidate answer
    log_call_url: str = ""
    resend_url: str = ""


@dataclass(frozen=True)
class InterviewCard:
    story: feedback_selectors.InterviewStory
    local_start: str
    requests: list[RequestCard]
    actions: list[tuple[str, str]]  # (label, url)


@admin.register(Application)
class ApplicationAdmin(BigTableMixin, admin.ModelAdmin):
    list_display = [
        "candidate",
        "position_title",
        "client",
        "recruiter",
        "stage",
        "interest",
        "next_interview",
    ]
    list_filter = [
        "interest_status",
        NeedsCallFilter,
        ApplicationFeedbackOverdueFilter,
        "stage",
        recruiter_filter("position__recruiter"),
        "position__client",
        "created_at",
    ]
    list_select_related = ["candidate", "position__client", "position__recruiter__user"]
    search_fields = [
        "candidate__first_name",
        "candidate__last_name",
        "candidate__email",
        "position__title",
        "position__client__name",
    ]
    autocomplete_fields = ["candidate", "position"]
    change_form_template = "admin/candidates/application/change_form.html"
    # Interest comes from feedback (with a timeline entry saying why); to change it, log
    # the candidate's feedback instead of editing the numbers.
    readonly_fields = ["interest_summary", "interest_updated_at", "debrief", "created_at"]
    fieldsets = [
        (
            "Interest (from the candidate's feedback)",
            {"fields": ["interest_summary", "interest_updated_at", "debrief"]},
        ),
        (None, {"fields": ["candidate", "position", "stage", "created_at"]}),
    ]

    def get_queryset(self, request):
        upcoming = Interview.objects.filter(
            application=OuterRef("pk"),
            status=Interview.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        ).order_by("starts_at")
        return (
            super()
            .get_queryset(request)
            .annotate(
                next_interview_at=Subquery(upcoming.values("starts_at")[:1]),
                next_interview_tz=Subquery(upcoming.values("time_zone")[:1]),
            )
        )

    @admin.display(description="Position", ordering="position__title")
    def position_title(self, obj):
        return obj.position.title

    @admin.display(description="Client", ordering="position__client__name")
    def client(self, obj):
        return obj.position.client

    @admin.display(description="Recruiter", ordering="position__recruiter__user__last_name")
    def recruiter(self, obj):
        return obj.position.recruiter

    @admin.display(description="Interest", ordering="interest_level")
    def interest(self, obj):
        return interest_badge(obj)

    @admin.display(description="Next interview", ordering="next_interview_at")
    def next_interview(self, obj):
        if obj.next_interview_at is None:
            return "–"
        local = obj.next_interview_at.astimezone(zoneinfo.ZoneInfo(obj.next_interview_tz))
        return local.strftime("%a %d %b %H:%M %Z")  # in the interview's time zone

    @admin.display(description="Interest")
    def interest_summary(self, obj):
        return interest_badge(obj)

    def save_model(self, request, obj, form, change):
        # On its candidate's and position's desks; only what the form changed is written.
        services.application_save(application=obj, fields=form.changed_data if change else None)

    @admin.display(description="Debrief")
    def debrief(self, obj):
        if obj.debrief_needed_at is None:
            return "–"
        return format_html(
            "<strong>Call needed</strong> (waiting {}): {}",
            duration(timezone.now() - obj.debrief_needed_at),
            obj.debrief_reason,
        )

    # -- the whole story on the change page --

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if application is not None:
            extra_context.update(self._story_context(request, application))
        return super().change_view(request, object_id, form_url, extra_context)

    def _story_context(self, request, application) -> dict:
        story = feedback_selectors.application_story(application=application)
        here = change_url(application)
        user = request.user
        can_log = user.has_perm("feedback.add_feedback")
        can_resend = user.has_perm("feedback.change_feedbackrequest")
        can_move = user.has_perm("candidates.change_interview")
        interviews = []
        for interview_story in story.interviews:
            interview = interview_story.interview
            cards = []
            for request_story in interview_story.requests:
                feedback_request = request_story.request
                current = next((a for a in request_story.answers if a.is_current), None)
                is_open = feedback_request.status in (
                    FeedbackRequest.Status.PENDING,
                    FeedbackRequest.Status.OVERDUE,
                )
                cards.append(
                    RequestCard(
                        story=request_story,
                        shared=feedback_shared_parts(feedback=current)
                        if feedback_request.party == Party.CANDIDATE
                        else [],
                        log_call_url=with_next(
                            reverse(
                                "admin:feedback_feedbackrequest_log_call",
                                args=[feedback_request.pk],
                            ),
                            here,
                        )
                        if can_log and feedback_request.status != FeedbackRequest.Status.CANCELLED
                        else "",
                        resend_url=with_next(
                            reverse(
                                "admin:feedback_feedbackrequest_resend_link",
                                args=[feedback_request.pk],
                            ),
                            here,
                        )
                        if can_resend and is_open
                        else "",
                    )
                )
            interviews.append(
                InterviewCard(
                    story=interview_story,
                    local_start=local_text(interview.starts_at, interview.time_zone),
                    requests=cards,
                    actions=interview_actions(interview, next_to=here) if can_move else [],
                )
            )
        withdraw = ""
        if self.has_change_permission(request, application) and application.stage in IN_PROCESS:
            withdraw = with_next(
                reverse("admin:candidates_application_withdraw", args=[application.pk]), here
            )
        return {
            "story": story,
            "interview_cards": interviews,
            "story_time_zone": str(user_time_zone(user)),
            "withdraw_url": withdraw,
        }

    # -- mark withdrawn --

    def get_urls(self):
        return [
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="candidates_application_withdraw",
            ),
            *super().get_urls(),
        ]

    def withdraw_view(self, request, object_id):
        application = object_or_404(
            self.get_queryset(request).select_related("candidate", "position__client"),
            object_id,
        )
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        form = WithdrawForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                feedback_services.application_withdraw(
                    application=application,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            else:
                self.message_user(request, f"{application}: marked withdrawn.", messages.SUCCESS)
            return HttpResponseRedirect(next_url(request, change_url(application)))
        return action_page(
            request,
            self,
            application,
            title="Mark withdrawn",
            intro="The candidate leaves this process: interviews still to come are "
            "cancelled and nobody is asked for feedback any more. The timeline keeps "
            "everything.",
            form=form,
            submit="Mark withdrawn",
            danger=True,
        )


# --- interviews -------------------------------------------------------------------------


class FeedbackRequestInline(ReadOnlyInline):
    model = FeedbackRequest
    fields = ["party", "status", "ask_at", "due_at", "reminders_sent", "received_at"]
    readonly_fields = fields


class InterviewAdminForm(forms.ModelForm):
    # Empty means "the next round", which the scheduling service works out.
    round = forms.IntegerField(min_value=1, required=False, help_text="Empty: the next round.")
    # Video links typed without a scheme are https (Django 6's default, chosen now).
    video_link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Interview
        fields = [
            "application",
            "round",
            "kind",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "video_link",
            "interviewers",
        ]

    def clean_round(self):
        round_ = self.cleaned_data.get("round")
        if round_ is None and self.instance.pk:
            return self.instance.round
        return round_

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        # Caught here, on the form, so the recruiter sees it next to the field instead of
        # the service refusing after the form was accepted.
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The interview must end after it starts.")
        return cleaned


SETTLED_STATUSES = (Interview.Status.CANCELLED, Interview.Status.NO_SHOW)


class RescheduleForm(forms.Form):
    """New times, read in the interview's own time zone (the view activates it)."""

    starts_at = forms.SplitDateTimeField(widget=AdminSplitDateTime, label="Starts")
    ends_at = forms.SplitDateTimeField(widget=AdminSplitDateTime, label="Ends")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The interview must end after it starts.")
        return cleaned


# name -> (button and page title, what it does, the service, what the message says)
INTERVIEW_STATUS_ACTIONS = {
    "complete": (
        "Mark completed",
        "The interview took place. If its planned end is still ahead, both parties are "
        "asked for feedback now instead of at the end.",
        feedback_services.interview_mark_completed,
        "marked completed",
    ),
    "no_show": (
        "Mark no-show",
        "The candidate did not attend: nobody is asked for feedback, and requests or "
        "reminders still queued are not sent.",
        partial(feedback_services.interview_cancel, no_show=True),
        "marked no-show",
    ),
    "cancel": (
        "Cancel interview",
        "The interview will not take place: nobody is asked for feedback, and requests or "
        "reminders still queued are not sent.",
        partial(feedback_services.interview_cancel, no_show=False),
        "cancelled",
    ),
}


def interview_actions(interview: Interview, *, next_to: str) -> list[tuple[str, str]]:
    """(label, url) of what can be done to the interview in its current status."""
    if interview.status in SETTLED_STATUSES:
        return []
    names = ["reschedule"]
    if interview.status == Interview.Status.SCHEDULED:
        names = ["complete", "reschedule", "no_show", "cancel"]
    labels = {name: spec[0] for name, spec in INTERVIEW_STATUS_ACTIONS.items()}
    labels["reschedule"] = "Reschedule"
    return [
        (
            labels[name],
            with_next(reverse(f"admin:candidates_interview_{name}", args=[interview.pk]), next_to),
        )
        for name in names
    ]


class InterviewFeedbackOverdueFilter(ExistsFilter):
    title = "feedback overdue"
    parameter_name = "overdue"

    def related(self, request):
        return FeedbackRequest.objects.filter(
            interview=OuterRef("pk"), status=FeedbackRequest.Status.OVERDUE
        )


@admin.register(Interview)
class InterviewAdmin(BigTableMixin, admin.ModelAdmin):
    form = InterviewAdminForm
    list_display = [
        "candidate",
        "position",
        "client",
        "round",
        "kind",
        "starts_local",
        "status",
        "feedback_status",
    ]
    list_filter = [
        when_filter("starts_at", "starts"),
        "status",
        InterviewFeedbackOverdueFilter,
        "kind",
        recruiter_filter("application__position__recruiter"),
        "application__position__client",
    ]
    list_select_related = ["application__candidate", "application__position__client"]
    change_form_template = "admin/candidates/interview/change_form.html"
    search_fields = [
        "application__candidate__first_name",
        "application__candidate__last_name",
        "application__position__title",
        "application__position__client__name",
    ]
    autocomplete_fields = ["application"]
    actions = ["mark_completed", "mark_cancelled", "mark_no_show"]

    def get_queryset(self, request):
        # The feedback cell shows each request's party and status: only those are read
        # (the whole rows were 900 timestamps to convert a page).
        requests = FeedbackRequest.objects.only("id", "interview_id", "party", "status")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("feedback_requests", queryset=requests))
        )

    def get_readonly_fields(self, request, obj=None):
        # Status moves only through the actions below (they re-plan or settle feedback).
        readonly = ["status", "created_at"]
        if obj is not None:
            readonly.append("application")
            if obj.status in SETTLED_STATUSES:
                # The service refuses to reschedule these; don't offer what would fail.
                readonly += ["starts_at", "ends_at"]
        return readonly

    def get_inlines(self, request, obj):
        # The requests exist only once the interview is scheduled.
        return [FeedbackRequestInline] if obj is not None else []

    @admin.display(description="Candidate", ordering="application__candidate__last_name")
    def candidate(self, obj):
        return obj.application.candidate

    @admin.display(description="Position", ordering="application__position__title")
    def position(self, obj):
        return obj.application.position.title

    @admin.display(description="Client", ordering="application__position__client__name")
    def client(self, obj):
        return obj.application.position.client

    @admin.display(description="Starts (interview's time zone)", ordering="starts_at")
    def starts_local(self, obj):
        return obj.local_starts_at.strftime("%a %d %b %Y %H:%M %Z")

    @admin.display(description="Feedback")
    def feedback_status(self, obj):
        requests = sorted(obj.feedback_requests.all(), key=lambda r: r.party)
        return ", ".join(f"{r.get_party_display()}: {r.get_status_display()}" for r in requests)

    # -- writes go through the services --

    def save_model(self, request, obj, form, change):
        if not change:
            scheduled = feedback_services.interview_schedule(
                application=obj.application,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                kind=obj.kind,
                time_zone=obj.time_zone,
                round=form.cleaned_data.get("round"),
                location=obj.location,
                video_link=obj.video_link,
                interviewers=obj.interviewers,
                actor=request.user,
            )
            # The admin goes on with `obj` (log entry, redirect): make it the saved row.
            for field in Interview._meta.concrete_fields:
                setattr(obj, field.attname, getattr(scheduled, field.attname))
            obj._state.adding = False
            obj._state.db = scheduled._state.db
            return
        time_fields = {"starts_at", "ends_at"}
        details = [name for name in form.changed_data if name not in time_fields]
        if details:
            obj.save(update_fields=details)  # plain details: no effect on the loop
        if time_fields & set(form.changed_data):
            # A fresh copy: the service records the old start on the timeline.
            stored = Interview.objects.select_related("application").get(pk=obj.pk)
            feedback_services.interview_reschedule(
                interview=stored, starts_at=obj.starts_at, ends_at=obj.ends_at, actor=request.user
            )
            obj.status = stored.status

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and request.method == "GET":
            interview = self.get_object(request, object_id)
            if interview is not None and self.has_change_permission(request, interview):
                extra_context = {
                    **(extra_context or {}),
                    "interview_actions": interview_actions(
                        interview, next_to=change_url(interview)
                    ),
                }
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            # A service refused what the form allowed (e.g. someone cancelled the interview
            # meanwhile). The admin's transaction was rolled back: nothing changed.
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # -- actions --

    def _apply_to_each(self, request, queryset, service, done: str) -> None:
        """One service call per interview, each in its own transaction, with its outcome."""
        for interview in queryset.select_related(
            "application__candidate", "application__position__client"
        ):
            try:
                service(interview=interview, actor=request.user)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{interview}: {' '.join(refusal.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"{interview}: {done}.", messages.SUCCESS)

    @admin.action(description="Mark completed (ask for feedback now)", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._apply_to_each(
            request, queryset, feedback_services.interview_mark_completed, "marked completed"
        )

    @admin.action(description="Mark cancelled", permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            partial(feedback_services.interview_cancel, no_show=False),
            "cancelled",
        )

    @admin.action(description="Mark no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            partial(feedback_services.interview_cancel, no_show=True),
            "marked no-show",
        )

    # -- one interview at a time: completed, no-show, cancelled, rescheduled --

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<path:object_id>/{name.replace('_', '-')}/",
                    wrap(partial(self.status_action_view, action=name)),
                    name=f"candidates_interview_{name}",
                )
                for name in INTERVIEW_STATUS_ACTIONS
            ),
            path(
                "<path:object_id>/reschedule/",
                wrap(self.reschedule_view),
                name="candidates_interview_reschedule",
            ),
            *super().get_urls(),
        ]

    def _interview_to_change(self, request, object_id) -> Interview:
        interview = object_or_404(
            self.get_queryset(request).select_related(
                "application__candidate", "application__position__client"
            ),
            object_id,
        )
        if not self.has_change_permission(request, interview):
            raise PermissionDenied
        return interview

    def status_action_view(self, request, object_id, action: str):
        interview = self._interview_to_change(request, object_id)
        title, intro, service, done = INTERVIEW_STATUS_ACTIONS[action]
        if request.method == "POST":
            try:
                service(interview=interview, actor=request.user)
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            else:
                self.message_user(request, f"{interview}: {done}.", messages.SUCCESS)
            return HttpResponseRedirect(next_url(request, change_url(interview)))
        return action_page(
            request,
            self,
            interview,
            title=title,
            intro=intro,
            submit=title,
            danger=action != "complete",
        )

    def reschedule_view(self, request, object_id):
        interview = self._interview_to_change(request, object_id)
        tz = zoneinfo.ZoneInfo(interview.time_zone)
        if request.method == "POST":
            form = RescheduleForm(request.POST)
            with timezone.override(tz):
                valid = form.is_valid()
            if valid:
                try:
                    feedback_services.interview_reschedule(
                        interview=interview,
                        starts_at=form.cleaned_data["starts_at"],
                        ends_at=form.cleaned_data["ends_at"],
                        actor=request.user,
                    )
                except ValidationError as refusal:
                    self.message_user(request, " ".join(refusal.messages), messages.ERROR)
                else:
                    self.message_user(request, f"{interview}: rescheduled.", messages.SUCCESS)
                return HttpResponseRedirect(next_url(request, change_url(interview)))
        else:
            # Naive local times: the widget shows them as they are, in the interview's zone.
            form = RescheduleForm(
                initial={
                    "starts_at": interview.starts_at.astimezone(tz).replace(tzinfo=None),
                    "ends_at": interview.ends_at.astimezone(tz).replace(tzinfo=None),
                }
            )
        return action_page(
            request,
            self,
            interview,
            title="Reschedule",
            intro=f"New times, in the interview's time zone ({interview.time_zone}). Feedback "
            "requests not yet answered move with it: their ask, reminder and deadline are "
            "planned again from the new end, and messages still queued for the old times "
            "are cancelled.",
            form=form,
            submit="Reschedule",
        )
