"""The desk copies (candidates.services, "desks", and feedback.services.desks) stay right
when an owner or a position's recruiter changes while an interview is being scheduled:
real threads, each with its own connection, on committed data. PostgreSQL only: the
services read the desk under a row lock, and SQLite has none (its writers are serialised
instead)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Candidate, Position
from feedback import services
from feedback.models import Party
from tests.factories import ApplicationFactory, RecruiterFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks: PostgreSQL only (see module)"
    ),
]


def new_owner(application, recruiter):
    candidate = Candidate.objects.get(pk=application.candidate_id)
    candidate.owner = recruiter
    candidate_services.candidate_save(candidate=candidate, changed=["owner"])


def new_position_recruiter(application, recruiter):
    position = Position.objects.get(pk=application.position_id)
    position.recruiter = recruiter
    candidate_services.position_save(position=position, changed=["recruiter"])


@pytest.mark.parametrize(
    ("change", "desk"),
    [(new_owner, "candidate_owner"), (new_position_recruiter, "position_recruiter")],
)
def test_an_interview_scheduled_while_a_desk_changes_lands_on_the_new_desk(change, desk):
    application = ApplicationFactory()
    recruiter = RecruiterFactory()
    desk_written, scheduling = threading.Event(), threading.Event()
    errors, scheduled = [], []

    def change_desk():
        try:
            with transaction.atomic():
                change(application, recruiter)
                desk_written.set()
                scheduling.wait(timeout=10)
                time.sleep(0.3)  # the scheduler is now waiting for these rows, or read them
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def schedule():
        try:
            desk_written.wait(timeout=10)
            scheduling.set()
            ends_at = timezone.now() + dt.timedelta(days=1)
            scheduled.append(
                services.interview_schedule(
                    application=application,
                    starts_at=ends_at - dt.timedelta(hours=1),
                    ends_at=ends_at,
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=change_desk), threading.Thread(target=schedule)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    [interview] = scheduled
    interview.refresh_from_db()
    assert getattr(interview, desk) == recruiter
    # The side's feedback request is on the new desk too (its own copy).
    party = Party.CANDIDATE if desk == "candidate_owner" else Party.CLIENT
    assert interview.feedback_requests.get(party=party).desk == recruiter
