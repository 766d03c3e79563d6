"""Desks: a recruiter's dashboard shows their side of each application (the candidate's
owner the candidate's side, the position's recruiter the client's), and the desk copies
(candidates.services, "desks", and feedback.services.desks) follow an owner or a
position's recruiter who changes."""

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Candidate, Position
from feedback import selectors, services
from feedback.models import Party
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    PositionFactory,
    RecruiterFactory,
    recruiter_with_login,
    request_of,
    schedule_interview,
)

from .desk import HOUR, MINUTE, answer, interview_asked, interview_overdue

pytestmark = pytest.mark.django_db

# --- each desk sees its own side ---------------------------------------------------------


def seen(recruiter, *, now) -> dict:
    """What each section of `recruiter`'s desk shows, as ids and totals."""
    desk = selectors.dashboard_get(user=recruiter.user, now=now)
    return {
        "interviews": [i.pk for day in desk.interview_days for i in day.interviews],
        "awaited": [row.request.pk for row in desk.awaited],
        "awaited_total": desk.awaited_total,
        "calls": [item.application.pk for item in desk.call_list],
        "client_overdue": [r.pk for group in desk.client_overdue for r in group.requests],
        "answers": [a.pk for a in desk.latest_answers],
        "chart_total": desk.charts.response_times.total,
        "spread_total": sum(bar.value for bar in desk.charts.interest_spread),
    }


NOTHING = {
    "interviews": [],
    "awaited": [],
    "awaited_total": 0,
    "calls": [],
    "client_overdue": [],
    "answers": [],
    "chart_total": 0,
    "spread_total": 0,
}


@pytest.fixture
def lee():
    return recruiter_with_login(user__first_name="Lee", user__last_name="Okafor")


@pytest.fixture
def shared_story(dana, marcus, interview_end):
    """Dana's candidate for Marcus's position: an interview past both deadlines (interest
    possibly waned, the client overdue), one whose client answered and whose candidate is
    awaited, and one coming up."""
    application = ApplicationFactory(candidate__owner=dana, position__recruiter=marcus)
    overdue = interview_overdue(ends_at=interview_end, application=application)
    asked = interview_asked(ends_at=interview_end + 50 * HOUR, application=application)
    client_answer = answer(
        asked, at=interview_end + 51 * HOUR, party=Party.CLIENT, decision="hold", rating=3
    )
    now = interview_end + 51 * HOUR + 30 * MINUTE  # 10:30 CST: the candidate has 30 min
    with time_machine.travel(now, tick=False):
        upcoming = schedule_interview(application=application, ends_at=now + 3 * HOUR)
    candidate_side = {
        "interviews": [asked.pk, upcoming.pk],
        "awaited": [request_of(asked).pk],
        "awaited_total": 1,
        "calls": [application.pk],
        "client_overdue": [],
        "answers": [],
        "chart_total": 1,
        "spread_total": 1,
    }
    client_side = {
        **NOTHING,
        "interviews": [asked.pk, upcoming.pk],
        "client_overdue": [request_of(overdue, Party.CLIENT).pk],
        "answers": [client_answer.pk],
    }
    return application, now, candidate_side, client_side


def test_each_desk_sees_only_its_own_side_of_an_application(dana, marcus, lee, shared_story):
    _, now, candidate_side, client_side = shared_story

    assert seen(dana, now=now) == candidate_side
    assert seen(marcus, now=now) == client_side
    assert seen(lee, now=now) == NOTHING


def test_a_new_owner_takes_the_candidates_side_to_their_desk(dana, marcus, lee, shared_story):
    application, now, candidate_side, client_side = shared_story
    candidate = application.candidate

    candidate.owner = lee
    candidate_services.candidate_save(candidate=candidate, changed=["owner"])

    assert seen(lee, now=now) == candidate_side
    assert seen(dana, now=now) == NOTHING
    assert seen(marcus, now=now) == client_side


def test_a_new_position_recruiter_takes_the_clients_side_to_their_desk(
    dana, marcus, lee, shared_story
):
    application, now, candidate_side, client_side = shared_story
    position = application.position

    position.recruiter = lee
    candidate_services.position_save(position=position, changed=["recruiter"])

    assert seen(lee, now=now) == client_side
    assert seen(marcus, now=now) == NOTHING
    assert seen(dana, now=now) == candidate_side


def test_an_application_moved_to_another_candidate_and_position_moves_both_sides(
    dana, marcus, lee, shared_story
):
    application, now, candidate_side, client_side = shared_story
    application.candidate = CandidateFactory(owner=lee)
    application.position = PositionFactory(recruiter=lee)

    candidate_services.application_save(application=application, fields=["candidate", "position"])

    assert seen(lee, now=now) == {
        **candidate_side,
        "client_overdue": client_side["client_overdue"],
        "answers": client_side["answers"],
    }
    assert seen(dana, now=now) == NOTHING
    assert seen(marcus, now=now) == NOTHING


# --- a desk that changes while an interview is being scheduled ---------------------------
# Real threads, each with its own connection, on committed data. PostgreSQL only: the
# services read the desk under a row lock, and SQLite has none (its writers are
# serialised instead).


def new_owner(application, recruiter):
    candidate = Candidate.objects.get(pk=application.candidate_id)
    candidate.owner = recruiter
    candidate_services.candidate_save(candidate=candidate, changed=["owner"])


def new_position_recruiter(application, recruiter):
    position = Position.objects.get(pk=application.position_id)
    position.recruiter = recruiter
    candidate_services.position_save(position=position, changed=["recruiter"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL only (see above)"
)
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
