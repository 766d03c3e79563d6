"""The API's operations: each validates its input with a serializer, calls one service
(or selector), and answers with an output serializer. Reads are open to every key; a
write needs a read-write key (api.permissions) and is recorded with the key as its actor:
on the application's or the candidate's timeline, or in the admin history of a record that
has none (a client, a contact, a position)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates import services as candidate_services
from candidates.models import Application, Candidate, Client, ClientContact, Interview, Position
from feedback import services as feedback_services

from . import pagination, selectors
from . import serializers as s
from .services import api_change_record

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only what changed at or after this moment (ISO 8601, with its offset).",
)


def _updated_since(request):
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    try:
        return serializers.DateTimeField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"updated_since": exc.detail}) from exc


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _assign(instance, data: dict) -> list[str]:
    """Set the validated `data` on `instance`; the names of the fields that changed."""
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, data[name])
    return changed


class ChangeFeed(generics.ListAPIView):
    """A list, oldest change first, narrowed by `updated_since`."""

    pagination_class = pagination.ByUpdate
    list_selector = None

    def get_queryset(self):
        return type(self).list_selector(updated_since=_updated_since(self.request))

    @extend_schema(parameters=[UPDATED_SINCE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- the ATS records: plain saves through candidates.services -------------------------


@dataclass(frozen=True)
class RecordKind:
    """One kind of ATS record as the API writes it: its serializers, the service that
    saves it, and where the key is recorded as who did it."""

    model: type[Model]
    serializer_in: type[serializers.Serializer]
    serializer_out: type[serializers.Serializer]
    save: Callable[[Model, list[str]], Model]
    # (record, the fields changed or None for a new one, the key's actor)
    record_change: Callable[[Model, list[str] | None, object], None]


def _in_admin_history(record, changed, actor) -> None:
    api_change_record(actor=actor, obj=record, changed=changed)


def _on_the_candidates_timeline(candidate, changed, actor) -> None:
    feedback_services.timeline_record_candidate_saved(
        candidate=candidate, changed=changed, actor=actor
    )


CLIENT = RecordKind(
    model=Client,
    serializer_in=s.ClientIn,
    serializer_out=s.ClientOut,
    save=lambda client, changed: candidate_services.client_save(client=client),
    record_change=_in_admin_history,
)
CONTACT = RecordKind(
    model=ClientContact,
    serializer_in=s.ContactIn,
    serializer_out=s.ContactOut,
    save=lambda contact, changed: candidate_services.client_contact_save(contact=contact),
    record_change=_in_admin_history,
)
POSITION = RecordKind(
    model=Position,
    serializer_in=s.PositionIn,
    serializer_out=s.PositionOut,
    save=lambda position, changed: candidate_services.position_save(
        position=position, changed=changed
    ),
    record_change=_in_admin_history,
)
CANDIDATE = RecordKind(
    model=Candidate,
    serializer_in=s.CandidateIn,
    serializer_out=s.CandidateOut,
    save=lambda candidate, changed: candidate_services.candidate_save(
        candidate=candidate, changed=changed
    ),
    record_change=_on_the_candidates_timeline,
)


class RecordsApi(ChangeFeed):
    """The records, oldest change first, narrowed by `updated_since`; a POST adds one."""

    kind: RecordKind

    def get_serializer_class(self):
        return self.kind.serializer_out

    @transaction.atomic
    def post(self, request):
        record = self.kind.save(self.kind.model(**_valid(self.kind.serializer_in, request)), [])
        self.kind.record_change(record, None, request.user)
        return Response(self.kind.serializer_out(record).data, status=status.HTTP_201_CREATED)


class RecordApi(generics.RetrieveAPIView):
    """One record; a PATCH changes only the fields it sends."""

    kind: RecordKind

    def get_serializer_class(self):
        return self.kind.serializer_out

    def get_queryset(self):
        return self.kind.model._default_manager.all()

    @transaction.atomic
    def patch(self, request, pk):
        record = self.get_object()
        data = _valid(self.kind.serializer_in, request, instance=record, partial=True)
        if changed := _assign(record, data):
            self.kind.save(record, changed)
        self.kind.record_change(record, changed, request.user)
        return Response(self.kind.serializer_out(record).data)


@extend_schema_view(post=extend_schema(request=s.ClientIn, responses={201: s.ClientOut}))
class ClientsApi(RecordsApi):
    kind = CLIENT
    list_selector = selectors.client_list


@extend_schema_view(patch=extend_schema(request=s.ClientIn, responses=s.ClientOut))
class ClientApi(RecordApi):
    kind = CLIENT


@extend_schema_view(post=extend_schema(request=s.ContactIn, responses={201: s.ContactOut}))
class ContactsApi(RecordsApi):
    kind = CONTACT
    list_selector = selectors.contact_list


@extend_schema_view(patch=extend_schema(request=s.ContactIn, responses=s.ContactOut))
class ContactApi(RecordApi):
    kind = CONTACT


@extend_schema_view(post=extend_schema(request=s.PositionIn, responses={201: s.PositionOut}))
class PositionsApi(RecordsApi):
    kind = POSITION
    list_selector = selectors.position_list


@extend_schema_view(patch=extend_schema(request=s.PositionIn, responses=s.PositionOut))
class PositionApi(RecordApi):
    kind = POSITION


@extend_schema_view(post=extend_schema(request=s.CandidateIn, responses={201: s.CandidateOut}))
class CandidatesApi(RecordsApi):
    kind = CANDIDATE
    list_selector = selectors.candidate_list


@extend_schema_view(patch=extend_schema(request=s.CandidateIn, responses=s.CandidateOut))
class CandidateApi(RecordApi):
    kind = CANDIDATE


# --- applications: on the timeline -------------------------------------------------------


class ApplicationsApi(ChangeFeed):
    serializer_class = s.ApplicationOut
    list_selector = selectors.application_list

    @extend_schema(request=s.ApplicationIn, responses={201: s.ApplicationOut})
    def post(self, request):
        application = feedback_services.application_save_recorded(
            application=Application(**_valid(s.ApplicationIn, request)), actor=request.user
        )
        return Response(s.ApplicationOut(application).data, status=status.HTTP_201_CREATED)


class ApplicationApi(generics.RetrieveAPIView):
    serializer_class = s.ApplicationOut
    queryset = Application.objects.all()

    @extend_schema(request=s.ApplicationUpdateIn, responses=s.ApplicationOut)
    def patch(self, request, pk):
        application = self.get_object()
        changed = _assign(application, _valid(s.ApplicationUpdateIn, request))
        feedback_services.application_save_recorded(
            application=application, fields=changed, actor=request.user
        )
        return Response(s.ApplicationOut(application).data)


class ApplicationWithdrawApi(APIView):
    @extend_schema(request=s.ApplicationWithdrawIn, responses=s.ApplicationOut)
    def post(self, request, pk):
        application = get_object_or_404(Application, pk=pk)
        data = _valid(s.ApplicationWithdrawIn, request)
        application = feedback_services.application_withdraw(
            application=application, reason=data["reason"], actor=request.user
        )
        return Response(s.ApplicationOut(application).data)


class ApplicationTimelineApi(generics.ListAPIView):
    serializer_class = s.TimelineEventOut
    pagination_class = pagination.ByCreation

    def get_queryset(self):
        get_object_or_404(Application, pk=self.kwargs["pk"])
        return selectors.timeline_list(
            application_id=self.kwargs["pk"], updated_since=_updated_since(self.request)
        )

    @extend_schema(parameters=[UPDATED_SINCE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- interviews: the lifecycle's services ------------------------------------------------


class InterviewsApi(ChangeFeed):
    serializer_class = s.InterviewOut
    list_selector = selectors.interview_list

    @extend_schema(request=s.InterviewScheduleIn, responses={201: s.InterviewOut})
    def post(self, request):
        interview = feedback_services.interview_schedule(
            **_valid(s.InterviewScheduleIn, request), actor=request.user
        )
        return Response(s.InterviewOut(interview).data, status=status.HTTP_201_CREATED)


class InterviewApi(generics.RetrieveAPIView):
    serializer_class = s.InterviewOut
    queryset = Interview.objects.all()

    @extend_schema(request=s.InterviewDetailsIn, responses=s.InterviewOut)
    def patch(self, request, pk):
        interview = self.get_object()
        data = _valid(s.InterviewDetailsIn, request, instance=interview, partial=True)
        changed = _assign(interview, data)
        interview = feedback_services.interview_save(
            interview=interview, changed=changed, actor=request.user
        )
        return Response(s.InterviewOut(interview).data)


class InterviewRescheduleApi(APIView):
    @extend_schema(request=s.InterviewRescheduleIn, responses=s.InterviewOut)
    def post(self, request, pk):
        interview = get_object_or_404(Interview, pk=pk)
        data = _valid(s.InterviewRescheduleIn, request)
        interview = feedback_services.interview_reschedule(
            interview=interview, **data, actor=request.user
        )
        return Response(s.InterviewOut(interview).data)


class InterviewCompleteApi(APIView):
    @extend_schema(request=None, responses=s.InterviewOut)
    def post(self, request, pk):
        interview = get_object_or_404(Interview, pk=pk)
        interview = feedback_services.interview_mark_completed(
            interview=interview, actor=request.user
        )
        return Response(s.InterviewOut(interview).data)


class InterviewCancelApi(APIView):
    @extend_schema(request=s.InterviewCancelIn, responses=s.InterviewOut)
    def post(self, request, pk):
        interview = get_object_or_404(Interview, pk=pk)
        data = _valid(s.InterviewCancelIn, request)
        interview = feedback_services.interview_cancel(
            interview=interview, no_show=data["no_show"], actor=request.user
        )
        return Response(s.InterviewOut(interview).data)


# --- the loop's reads ----------------------------------------------------------------


class FeedbackRequestsApi(ChangeFeed):
    serializer_class = s.FeedbackRequestOut
    pagination_class = pagination.ByIdCursorPagination
    list_selector = selectors.feedback_request_list


class FeedbackRequestApi(generics.RetrieveAPIView):
    serializer_class = s.FeedbackRequestOut
    queryset = selectors.feedback_request_list()


class AnswersApi(ChangeFeed):
    serializer_class = s.AnswerOut
    pagination_class = pagination.BySubmission
    list_selector = selectors.answer_list


class AnswerApi(generics.RetrieveAPIView):
    serializer_class = s.AnswerOut
    queryset = selectors.answer_list()


class TimelineApi(ChangeFeed):
    serializer_class = s.TimelineEventOut
    pagination_class = pagination.ByCreation
    list_selector = selectors.timeline_list
