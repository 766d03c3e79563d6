"""The ATS records through the API: created, changed and read, through the services, with
the key named as who did it, and bad input answered field by field."""

import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.utils import timezone

from candidates.models import Application, Candidate, Client, ClientContact, Position
from feedback.models import TimelineEvent
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    ClientContactFactory,
    ClientFactory,
    PositionFactory,
    RecruiterFactory,
)

pytestmark = pytest.mark.django_db


def history(obj) -> list[tuple[int, str]]:
    """The admin's history of a record: (action, who)."""
    return [
        (entry.action_flag, entry.user.get_full_name())
        for entry in LogEntry.objects.filter(object_id=str(obj.pk)).order_by("pk")
        if entry.content_type.model_class() is type(obj)
    ]


def person_timeline(candidate) -> list[tuple[str, str, str]]:
    """The candidate's own timeline (no application): (kind, who, summary)."""
    return [
        (event.kind, event.actor.get_full_name(), event.summary)
        for event in TimelineEvent.objects.filter(candidate=candidate, application=None)
        .select_related("actor")
        .order_by("pk")
    ]


def test_it_creates_a_candidate_and_names_the_key_on_their_timeline(writer):
    owner = RecruiterFactory()
    response = writer.post(
        "/api/v1/candidates/",
        {"first_name": "Ana", "last_name": "Okafor", "email": "ana@example.com", "owner": owner.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    candidate = Candidate.objects.get(pk=response.json()["id"])
    assert (candidate.full_name, candidate.owner) == ("Ana Okafor", owner)
    assert person_timeline(candidate) == [
        (TimelineEvent.Kind.CANDIDATE_ADDED, "ATS sync (API key)", "Candidate added")
    ]


def test_it_changes_a_candidates_owner_and_the_desk_follows(writer):
    application = ApplicationFactory()
    candidate = application.candidate
    new_owner = RecruiterFactory()
    response = writer.patch(
        f"/api/v1/candidates/{candidate.pk}/", {"owner": new_owner.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == new_owner.pk
    application.refresh_from_db()
    # candidates.services.candidate_save moved the application's desk copy along.
    assert application.candidate_owner == new_owner
    # The fields that changed, never their values (personal data).
    assert person_timeline(candidate) == [
        (TimelineEvent.Kind.CANDIDATE_CHANGED, "ATS sync (API key)", "Candidate changed: owner")
    ]


def test_a_change_that_changes_nothing_adds_no_event(writer):
    candidate = CandidateFactory(first_name="Ana")
    response = writer.patch(
        f"/api/v1/candidates/{candidate.pk}/", {"first_name": "Ana"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert person_timeline(candidate) == []


def test_bad_input_comes_back_field_by_field(writer):
    response = writer.post(
        "/api/v1/candidates/",
        {"first_name": "", "email": "not an email", "owner": 999999, "time_zone": "Mars/Base"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"first_name", "last_name", "email", "owner", "time_zone"}
    assert Candidate.objects.count() == 0


def test_a_duplicate_client_name_is_a_field_error(writer):
    ClientFactory(name="Lakeshore")
    response = writer.post("/api/v1/clients/", {"name": "Lakeshore"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert Client.objects.count() == 1


def test_clients_contacts_and_positions_are_created_and_changed(writer):
    client = writer.post("/api/v1/clients/", {"name": "Prairie View"}, format="json").json()
    contact = writer.post(
        "/api/v1/contacts/",
        {"client": client["id"], "name": "Dr. Hale", "email": "hale@prairie.example"},
        format="json",
    ).json()
    recruiter = RecruiterFactory()
    response = writer.post(
        "/api/v1/positions/",
        {
            "client": client["id"],
            "title": "Associate Veterinarian",
            "recruiter": recruiter.pk,
            "hiring_contact": contact["id"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    position = response.json()
    response = writer.patch(
        f"/api/v1/positions/{position['id']}/", {"status": "on_hold"}, format="json"
    )
    assert response.json()["status"] == "on_hold"
    assert Position.objects.get(pk=position["id"]).status == "on_hold"
    response = writer.patch(f"/api/v1/clients/{client['id']}/", {"city": "Peoria"}, format="json")
    assert response.json()["city"] == "Peoria"
    # They have no timeline: the admin's history of each names the key.
    key = "ATS sync (API key)"
    assert history(Client.objects.get(pk=client["id"])) == [(ADDITION, key), (CHANGE, key)]
    assert history(ClientContact.objects.get(pk=contact["id"])) == [(ADDITION, key)]
    assert history(Position.objects.get(pk=position["id"])) == [(ADDITION, key), (CHANGE, key)]


def test_a_position_hires_through_a_contact_of_its_own_client(writer):
    other_contact = ClientContactFactory()
    response = writer.post(
        "/api/v1/positions/",
        {
            "client": ClientFactory().pk,
            "title": "Practice Manager",
            "recruiter": RecruiterFactory().pk,
            "hiring_contact": other_contact.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "hiring_contact" in response.json()


def test_an_application_is_created_on_the_timeline_with_the_key_as_actor(writer):
    candidate, position = CandidateFactory(), PositionFactory()
    response = writer.post(
        "/api/v1/applications/",
        {"candidate": candidate.pk, "position": position.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = Application.objects.get(pk=response.json()["id"])
    assert application.candidate_owner == candidate.owner
    event = application.timeline.get()
    assert event.kind == TimelineEvent.Kind.APPLICATION_ADDED
    assert event.actor.get_full_name() == "ATS sync (API key)"
    # The same pair again is a field-level 400, not a crash.
    again = writer.post(
        "/api/v1/applications/",
        {"candidate": candidate.pk, "position": position.pk},
        format="json",
    )
    assert again.status_code == 400


def test_an_application_moves_stage_but_is_withdrawn_only_by_its_own_operation(writer):
    application = ApplicationFactory()
    url = f"/api/v1/applications/{application.pk}/"
    assert writer.patch(url, {"stage": "withdrawn"}, format="json").status_code == 400
    assert writer.patch(url, {"stage": "offer"}, format="json").json()["stage"] == "offer"
    response = writer.post(f"{url}withdraw/", {"reason": "Took another offer"}, format="json")
    assert response.status_code == 200
    assert response.json()["stage"] == "withdrawn"
    kinds = list(application.timeline.order_by("pk").values_list("kind", "actor__first_name"))
    assert kinds == [
        (TimelineEvent.Kind.APPLICATION_CHANGED, "ATS sync"),
        (TimelineEvent.Kind.APPLICATION_WITHDRAWN, "ATS sync"),
    ]
    # Withdrawn twice: the service says no, as a 400.
    assert writer.post(f"{url}withdraw/", {}, format="json").status_code == 400


def test_lists_give_what_changed_since_a_moment(writer):
    old, new = CandidateFactory(), CandidateFactory()
    moment = timezone.now() - dt.timedelta(minutes=5)
    Candidate.objects.filter(pk=old.pk).update(updated_at=moment - dt.timedelta(days=1))
    response = writer.get("/api/v1/candidates/", {"updated_since": moment.isoformat()})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [new.pk]
    bad = writer.get("/api/v1/candidates/", {"updated_since": "yesterday"})
    assert bad.status_code == 400
    assert "updated_since" in bad.json()


def test_a_change_made_by_the_loop_moves_updated_at(writer):
    """Interest and stage are written by .update() in candidates.services; the change feed
    sees them all the same."""
    from candidates import services

    application = ApplicationFactory()
    Application.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=2)
    )
    since = timezone.now() - dt.timedelta(days=1)
    assert writer.get("/api/v1/applications/", {"updated_since": since}).json()["results"] == []
    services.application_set_interest(
        application=application, level=8, status="high", now=timezone.now()
    )
    rows = writer.get("/api/v1/applications/", {"updated_since": since}).json()["results"]
    assert [(r["id"], r["interest_level"]) for r in rows] == [(application.pk, 8)]


def test_lists_are_paged_by_cursor(writer):
    made = [CandidateFactory().pk for _ in range(5)]
    seen, url = [], "/api/v1/candidates/?page_size=2"
    while url:
        page = writer.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == made
    assert writer.get("/api/v1/candidates/", {"cursor": "bogus"}).status_code == 404


def test_a_missing_record_is_a_404(writer):
    assert writer.get("/api/v1/candidates/999999/").status_code == 404
    assert writer.patch("/api/v1/clients/999999/", {}, format="json").status_code == 404
