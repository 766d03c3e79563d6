"""The site's URLs plus two baselines: /bench/bare/ (the same middleware, no work) and
/bench/answer/<token>/ (a hand-written answer: the portal POST's writes in plain SQL)."""

from celery import current_app
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from feedback import tokens
from feedback.services.outbox import DELIVER_MESSAGES_TASK
from tvr_site.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse("ok")


def answer(request, token: str):
    """What a portal answer must write, and nothing else: verify the token, lock and read
    the request, insert the answer, settle the request, set the application's interest,
    add the timeline event and the recruiter's outbox row, publish one delivery task."""
    token_key = tokens.token_unsign(party="candidate", token=token)
    level = int(request.POST["interest_level"])
    still = request.POST["still_interested"]
    went_well = request.POST.get("went_well", "")
    status = "high" if level >= 7 else "moderate" if level >= 4 else "low"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, i.application_id, u.email FROM feedback_feedbackrequest r"
            " JOIN candidates_interview i ON i.id = r.interview_id"
            " JOIN candidates_recruiter d ON d.id = r.desk_id"
            " JOIN auth_user u ON u.id = d.user_id"
            " WHERE r.token_key = %s AND r.party = 'candidate' FOR UPDATE OF r",
            [token_key],
        )
        request_id, application_id, recruiter_email = cursor.fetchone()
        cursor.execute(
            "INSERT INTO feedback_feedback (request_id, channel, submitted_at, is_current,"
            " interest_level, still_interested, went_well, concerns, questions, wants_call,"
            " preferred_call_time, decision, strengths, next_step, shared_with_client)"
            " VALUES (%s, 'portal', now(), true, %s, %s, %s, '', '', false, '', '', '', '',"
            " '[]') RETURNING id",
            [request_id, level, still, went_well],
        )
        (feedback_id,) = cursor.fetchone()
        cursor.execute(
            "UPDATE feedback_feedbackrequest SET status = 'received', received_at = now(),"
            " next_action_at = NULL WHERE id = %s",
            [request_id],
        )
        cursor.execute(
            "UPDATE candidates_application SET interest_level = %s, interest_status = %s,"
            " interest_updated_at = now(), updated_at = now() WHERE id = %s",
            [level, status, application_id],
        )
        cursor.execute(
            "INSERT INTO feedback_timelineevent (application_id, request_id, kind, summary,"
            " data, created_at) VALUES (%s, %s, 'feedback_received',"
            " 'Candidate feedback received (portal)', %s, now())",
            [application_id, request_id, f'{{"feedback_id": {feedback_id}}}'],
        )
        cursor.execute(
            "INSERT INTO feedback_outboundmessage (request_id, kind, channel, dedupe_key,"
            " recipient, subject, body_text, body_html, status, attempts, last_error,"
            " next_attempt_at, dispatched_at, created_at, queued_by_request)"
            " VALUES (%s, 'feedback_received', 'email', %s, %s, '', '', '', 'queued', 0, '',"
            " now(), now(), now(), '') RETURNING id",
            [request_id, f"feedback-{feedback_id}", recruiter_email],
        )
        (message_id,) = cursor.fetchone()
        transaction.on_commit(
            lambda: current_app.send_task(
                DELIVER_MESSAGES_TASK, args=([message_id],), ignore_result=True
            )
        )
    return HttpResponseRedirect(f"/portal/f/{token}/thanks/")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/answer/<str:token>/", answer),
    *site_urlpatterns,
]
