"""The API's operations: each validates its input with a serializer, calls one service
(or selector), and answers with an output serializer. Reads are open to every key; a
write needs a read-write key (api.permissions) and is recorded with the key as its actor:
on the application's or the candidate's timeline, or in the admin history of a record that
has none (a client, a contact, a position)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
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


class ClientsApi(ChangeFeed):
    serializer_class = s.ClientOut
    list_selector = selectors.client_list

    @extend_schema(request=s.ClientIn, responses={201: s.ClientOut})
    @transaction.atomic
    def post(self, request):
        client = candidate_services.client_save(client=Client(**_valid(s.ClientIn, request)))
        api_change_record(actor=request.user, obj=client, changed=None)
        return Response(s.ClientOut(client).data, status=status.HTTP_201_CREATED)


class ClientApi(generics.RetrieveAPIView):
    serializer_class = s.ClientOut
    queryset = Client.objects.all()

    @extend_schema(request=s.ClientIn, responses=s.ClientOut)
    @transaction.atomic
    def patch(self, request, pk):
        client = self.get_object()
        data = _valid(s.ClientIn, request, instance=client, partial=True)
        if changed := _assign(client, data):
            candidate_services.client_save(client=client)
        api_change_record(actor=request.user, obj=client, changed=changed)
        return Response(s.ClientOut(client).data)


class ContactsApi(ChangeFeed):
    serializer_class = s.ContactOut
    list_selector = selectors.contact_list

    @extend_schema(request=s.ContactIn, responses={201: s.ContactOut})
    @transaction.atomic
    def post(self, request):
        contact = candidate_services.client_contact_save(
            contact=ClientContact(**_valid(s.ContactIn, request))
        )
        api_change_record(actor=request.user, obj=contact, changed=None)
        return Response(s.ContactOut(contact).data, status=status.HTTP_201_CREATED)


class ContactApi(generics.RetrieveAPIView):
    serializer_class = s.ContactOut
    queryset = ClientContact.objects.all()

    @extend_schema(request=s.ContactIn, responses=s.ContactOut)
    @transaction.atomic
    def patch(self, request, pk):
        contact = self.get_object()
        data = _valid(s.ContactIn, request, instance=contact, partial=True)
        if changed := _assign(contact, data):
            candidate_services.client_contact_save(contact=contact)
        api_change_record(actor=request.user, obj=contact, changed=changed)
        return Response(s.ContactOut(contact).data)


class PositionsApi(ChangeFeed):
    serializer_class = s.PositionOut
    list_selector = selectors.position_list

    @extend_schema(request=s.PositionIn, responses={201: s.PositionOut})
    @transaction.atomic
    def post(self, request):
        position = candidate_services.position_save(
            position=Position(**_valid(s.PositionIn, request)), changed=[]
        )
        api_change_record(actor=request.user, obj=position, changed=None)
        return Response(s.PositionOut(position).data, status=status.HTTP_201_CREATED)


class PositionApi(generics.RetrieveAPIView):
    serializer_class = s.PositionOut
    queryset = Position.objects.all()

    @extend_schema(request=s.PositionIn, responses=s.PositionOut)
    @transaction.atomic
    def patch(self, request, pk):
        position = self.get_object()
        data = _valid(s.PositionIn, request, instance=position, partial=True)
        if changed := _assign(position, data):
            candidate_services.position_save(position=position, changed=changed)
        api_change_record(actor=request.user, obj=position, changed=changed)
        return Response(s.PositionOut(position).data)


class CandidatesApi(ChangeFeed):
    serializer_class = s.CandidateOut
    list_selector = selectors.candidate_list

    @extend_schema(request=s.CandidateIn, responses={201: s.CandidateOut})
    @transaction.atomic
    def post(self, request):
        candidate = candidate_services.candidate_save(
            candidate=Candidate(**_valid(s.CandidateIn, request)), changed=[]
        )
        feedback_services.timeline_record_candidate_saved(
            candidate=candidate, changed=None, actor=request.user
        )
        return Response(s.CandidateOut(candidate).data, status=status.HTTP_201_CREATED)


class CandidateApi(generics.RetrieveAPIView):
    serializer_class = s.CandidateOut
    queryset = Candidate.objects.all()

    @extend_schema(request=s.CandidateIn, responses=s.CandidateOut)
    @transaction.atomic
    def patch(self, request, pk):
        candidate = self.get_object()
        data = _valid(s.CandidateIn, request, instance=candidate, partial=True)
        if changed := _assign(candidate, data):
            candidate_services.candidate_save(candidate=candidate, changed=changed)
        feedback_services.timeline_record_candidate_saved(
            candidate=candidate, changed=changed, actor=request.user
        )
        return Response(s.CandidateOut(candidate).data)


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
