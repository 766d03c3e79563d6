"""Load demo data for a veterinary and animal-health recruiting desk, relative to now.

    manage.py seed_demo          # once: does nothing when the demo is already there
    manage.py seed_demo --reset  # delete the demo objects and load them afresh

The people and organisations (recruiters, clients and their contacts, positions,
candidates, applications) and the reminder policy are plain records. Everything after is
played through the real services with an explicit `now` for each step: interviews
scheduled, asks, reminders and deadlines by the sweep (one interview's requests at a
time), answers given or logged by phone, what the client is shown. Every step happens
before the demo's "now", so the running sweep picks up each story at the right point
within seconds.
"""

import base64
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from api import services as api_services
from api.models import ApiKey
from candidates import services as candidate_services
from candidates.models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Interview,
    Position,
    Recruiter,
)
from feedback import roles
from feedback import services as feedback_services
from feedback.models import (
    Feedback,
    FeedbackRequest,
    MessageWording,
    Party,
    ReminderPolicy,
    WebhookEndpoint,
)
from feedback.services import wording as wording_services
from feedback.webhooks.events import EVENT_TYPES

DEMO_PASSWORD = "tvr-demo-2026"
# The demo recruiters' authenticator secret, known so that `make run` stays easy: add it to
# an authenticator app (DEMO_TOTP_SECRET, printed by demo_links), or print the current code
# with `manage.py demo_totp`. Demo data only: real staff enrol their own.
DEMO_TOTP_KEY = b"tvr-demo-totp-secret".hex()
DEMO_TOTP_SECRET = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
MAIN_RECRUITER_USERNAME = "recruiter"
RECRUITER_GROUP = roles.RECRUITER_GROUP
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

RECRUITERS = {
    "dana": {
        "username": MAIN_RECRUITER_USERNAME,
        "first_name": "Dana",
        "last_name": "Whitfield",
        "email": "dana.whitfield@tvr.example",
        "office_phone": "+1 312 555 0100",
        "cell_phone": "+1 312 555 0199",
        "time_zone": "America/Chicago",
        "signature": "Senior Recruiter, Veterinary Medicine\nTVR Veterinary Search, Chicago",
    },
    "marcus": {
        "username": "mreyes",
        "first_name": "Marcus",
        "last_name": "Reyes",
        "email": "marcus.reyes@tvr.example",
        "office_phone": "+1 816 555 0140",
        "cell_phone": "+1 816 555 0177",
        "time_zone": "America/Chicago",
        "signature": "Recruiter, Animal Health & Practice Management\nTVR Veterinary Search",
    },
}

CLIENTS = {
    "lakeshore": {
        "name": "Lakeshore Specialty & Emergency Hospitals",
        "kind": "Specialty and emergency hospital group",
        "city": "Chicago, IL",
        "time_zone": "America/Chicago",
        "contact": {
            "name": "Dr. Rebecca Lindqvist",
            "title": "Chief Medical Officer",
            "email": "rebecca.lindqvist@lakeshore-vets.example",
            "phone": "+1 312 555 0142",
            "can_log_in": True,
        },
    },
    "prairie": {
        "name": "Prairie View Mixed Animal Practice",
        "kind": "Mixed-animal practice",
        "city": "Ames, IA",
        "time_zone": "America/Chicago",
        "contact": {
            "name": "Dr. Tom Hendricks",
            "title": "Practice Owner",
            "email": "tom.hendricks@prairieview-vet.example",
            "phone": "+1 515 555 0161",
            "can_log_in": True,
        },
    },
    "northfield": {
        "name": "Northfield Animal Health",
        "kind": "Animal-health manufacturer",
        "city": "Kansas City, MO",
        "time_zone": "America/Chicago",
        "contact": {
            "name": "Priya Raman",
            "title": "Regional Sales Director",
            "email": "priya.raman@northfield-ah.example",
            "phone": "+1 816 555 0123",
            "can_log_in": False,
        },
    },
}

POSITIONS = {
    "er_vet": ("lakeshore", "Emergency Veterinarian", "Chicago, IL", "dana"),
    "icu_tech": ("lakeshore", "Registered Veterinary Technician (ICU)", "Evanston, IL", "dana"),
    "associate": ("prairie", "Associate Veterinarian, Mixed Animal", "Ames, IA", "dana"),
    "manager": ("prairie", "Practice Manager", "Ames, IA", "marcus"),
    "territory": ("northfield", "Territory Manager, Companion Animal", "Denver, CO", "marcus"),
}

# Owner recruiter -> candidate key -> (name, specialty, time zone, US phone number).
CANDIDATES = {
    "dana": {
        "maya": ("Maya Okafor", "Emergency and critical care", "America/Chicago", "773 555 0111"),
        "ethan": ("Ethan Brooks", "Small-animal practice", "America/New_York", "718 555 0112"),
        "aisha": ("Aisha Karimi", "Emergency medicine", "America/Phoenix", "602 555 0113"),
        "jordan": ("Jordan Alvarez", "ICU nursing (RVT)", "America/Chicago", "312 555 0114"),
        "rachel": ("Rachel Nguyen", "Surgical tech (LVT)", "America/New_York", "646 555 0115"),
        "hannah": ("Hannah Schultz", "Bovine and mixed animal", "America/Chicago", "515 555 0116"),
        "luis": ("Luis Romero", "Food animal and equine", "America/Denver", "970 555 0117"),
    },
    "marcus": {
        "samantha": ("Samantha Greene", "Practice management", "America/Chicago", "319 555 0118"),
        "kevin": ("Kevin Park", "Animal-health sales", "America/Los_Angeles", "213 555 0119"),
        "owen": ("Owen Fitzgerald", "Equine; pharma sales", "America/Denver", "303 555 0120"),
    },
}
# Candidates who agreed to text messages (the SMS transport is a later issue).
SMS_CONSENT = {"maya", "kevin"}


class Command(BaseCommand):
    help = (
        "Load demo data (recruiters, clients, candidates, interviews at every point of the loop)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo objects and load them afresh."
        )

    def handle(self, *args, reset: bool, **options):
        with transaction.atomic():
            if demo_loaded() and not reset:
                self.stdout.write("Demo data already loaded (seed_demo --reset reloads it).")
                return
            if reset:
                demo_delete()
            demo_load(now=timezone.now().replace(second=0, microsecond=0))
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins: manage.py demo_links"))


def demo_loaded() -> bool:
    return get_user_model().objects.filter(username=MAIN_RECRUITER_USERNAME).exists()


def demo_usernames() -> list[str]:
    contacts = [c["contact"]["email"] for c in CLIENTS.values() if c["contact"]["can_log_in"]]
    return [spec["username"] for spec in RECRUITERS.values()] + contacts


def demo_delete() -> None:
    """Everything the demo created, and whatever was added under the demo recruiters."""
    recruiters = Recruiter.objects.filter(user__username__in=demo_usernames())
    clients = Client.objects.filter(name__in=[spec["name"] for spec in CLIENTS.values()])
    # Candidates and positions first: they protect their recruiter and hiring contact.
    Candidate.objects.filter(owner__in=recruiters).delete()
    Position.objects.filter(
        Q(client__in=clients) | Q(recruiter__in=recruiters) | Q(hiring_contact__client__in=clients)
    ).delete()
    clients.delete()
    integrations_delete()
    MessageWording.objects.filter(updated_by__username__in=demo_usernames()).delete()
    get_user_model().objects.filter(username__in=demo_usernames()).delete()


# --- people and organisations -----------------------------------------------------------


def policy_reset_for_demo() -> None:
    """The default policy, but without quiet hours, so the demo loop acts at any hour."""
    ReminderPolicy(pk=1, quiet_hours_start=None, quiet_hours_end=None).save()


def recruiter_group() -> Group:
    """The Recruiter group with exactly the permissions in feedback.roles."""
    return roles.recruiter_group_sync()


def demo_user(*, username: str, email: str, first_name="", last_name="", staff=False):
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        is_staff=staff,
    )
    return user


def recruiter_create(*, group: Group, username, first_name, last_name, email, **profile):
    user = demo_user(
        username=username, email=email, first_name=first_name, last_name=last_name, staff=True
    )
    user.groups.add(group)
    TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY)
    return Recruiter.objects.create(user=user, **profile)


def client_create(*, contact: dict, **details) -> tuple[Client, ClientContact]:
    client = Client.objects.create(**details)
    can_log_in = contact.pop("can_log_in")
    user = demo_user(username=contact["email"], email=contact["email"]) if can_log_in else None
    hiring_contact = ClientContact.objects.create(
        client=client, user=user, time_zone=client.time_zone, **contact
    )
    return client, hiring_contact


def candidate_create(*, key, name, specialty, time_zone, phone, owner) -> Candidate:
    first, last = name.split(" ", 1)
    return candidate_services.candidate_save(
        candidate=Candidate(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@mail.example".lower(),
            phone=f"+1 {phone}",
            time_zone=time_zone,
            specialty=specialty,
            owner=owner,
            consent_sms=key in SMS_CONSENT,
            contact_by="both" if key in SMS_CONSENT else "",
        ),
        changed=[],
    )


def application_create(*, candidate, position, since: datetime) -> Application:
    application = candidate_services.application_save(
        application=Application(candidate=candidate, position=position)
    )
    # Submitted before its interviews, so that the timeline reads in order (created_at is
    # set on insert: the one date of the story not passed to a service).
    Application.objects.filter(pk=application.pk).update(created_at=since)
    return application


# --- the loop, played through its services ---------------------------------------------
#
# Each interview's story is played forward through feedback.services, each step at its
# own moment (`now`): scheduled, asked and reminded by the sweep (one interview's
# requests at a time), marked overdue by it, answered, shared. Every moment is before
# the demo's "now", and the running sweep takes each story up from there.


def interview_at(
    *,
    application,
    starts_at: datetime,
    actor,
    now: datetime,
    length=HOUR,
    kind=Interview.Kind.IN_PERSON,
) -> Interview:
    """Scheduled through the service: now for one still to come, three days before it
    for one that already took place."""
    client = application.position.client
    return feedback_services.interview_schedule(
        application=application,
        starts_at=starts_at,
        ends_at=starts_at + length,
        kind=kind,
        time_zone=client.time_zone,
        location=f"{client.name}, {application.position.location}"
        if kind == Interview.Kind.IN_PERSON
        else "",
        video_link="https://meet.example/tvr-" + str(application.pk)
        if kind == Interview.Kind.VIDEO
        else "",
        interviewers=application.position.hiring_contact.name,
        actor=actor,
        now=starts_at - 3 * DAY if starts_at < now else now,
    )


def request_for(interview: Interview, party: str) -> FeedbackRequest:
    return interview.feedback_requests.select_related("interview__application").get(party=party)


def sweep_at(interview: Interview, moment: datetime) -> None:
    """The sweep at `moment`, for this interview's requests: it asks, reminds or marks
    overdue whatever of them is due by then."""
    feedback_services.feedback_requests_sweep(interview=interview, now=moment)


def asked(interview: Interview) -> Interview:
    """Both parties asked by the sweep when the interview ended (on time, so that the
    catch-up rule, which moves a late ask's reminder and deadline, never applies)."""
    sweep_at(interview, interview.ends_at)
    return interview


def reminded(interview: Interview, party: str) -> FeedbackRequest:
    """The party reminded by the sweep at the policy's reminder time."""
    request = request_for(interview, party)
    sweep_at(interview, request.remind_at)
    return request_for(interview, party)


def answered(
    interview: Interview,
    party: str,
    *,
    at: datetime,
    channel: str = Feedback.Channel.PORTAL,
    **answers,
) -> Feedback:
    """The party's answer, given at `at` (a candidate's on the portal unless said)."""
    return feedback_services.feedback_submit(
        request=request_for(interview, party), answers=answers, channel=channel, now=at
    )


def earlier_round(
    *,
    application,
    ended_at: datetime,
    actor,
    now: datetime,
    candidate: dict,
    client: dict,
    client_after: timedelta,
    shared: list[str] | None = None,
    kind=Interview.Kind.VIDEO,
) -> Interview:
    """A round days ago that both sides answered: the candidate within the hour, the
    client `client_after` the interview (reminded at +24 h if not by then). `shared`: what
    of the candidate's answer the recruiter then showed the client."""
    interview = asked(
        interview_at(
            application=application, starts_at=ended_at - HOUR, actor=actor, now=now, kind=kind
        )
    )
    answer = answered(interview, Party.CANDIDATE, at=ended_at + 40 * MINUTE, **candidate)
    if shared:
        feedback_services.feedback_share_with_client(
            feedback=answer, parts=shared, actor=actor, now=ended_at + 2 * HOUR
        )
    client_request = request_for(interview, Party.CLIENT)
    if client_after > client_request.remind_at - ended_at:
        reminded(interview, Party.CLIENT)
    # A client answering after the deadline (Hannah's round) is late, but was never
    # marked overdue: the story has no sweep between the reminder and the answer.
    answered(
        interview,
        Party.CLIENT,
        at=ended_at + client_after,
        channel=Feedback.Channel.CLIENT_PAGE,
        **client,
    )
    return interview


# --- the whole demo ---------------------------------------------------------------------


def demo_load(*, now: datetime) -> None:
    policy_reset_for_demo()  # first: scheduling plans the requests from the policy
    group = recruiter_group()
    recruiters = {key: recruiter_create(group=group, **spec) for key, spec in RECRUITERS.items()}
    dana, marcus = recruiters["dana"].user, recruiters["marcus"].user

    contacts = {}  # the hiring contact of each client
    for key, spec in CLIENTS.items():
        _client, contacts[key] = client_create(**{**spec, "contact": dict(spec["contact"])})
    positions = {
        key: candidate_services.position_save(
            position=Position(
                client=contacts[client_key].client,
                title=title,
                location=location,
                recruiter=recruiters[recruiter_key],
                hiring_contact=contacts[client_key],
            ),
            changed=[],
        )
        for key, (client_key, title, location, recruiter_key) in POSITIONS.items()
    }
    candidates = {
        key: candidate_create(
            key=key,
            name=name,
            specialty=specialty,
            time_zone=time_zone,
            phone=phone,
            owner=recruiters[owner],
        )
        for owner, owned in CANDIDATES.items()
        for key, (name, specialty, time_zone, phone) in owned.items()
    }

    def apply(candidate_key, position_key):
        return application_create(
            candidate=candidates[candidate_key],
            position=positions[position_key],
            since=now - 6 * DAY,
        )

    # Upcoming: later today and tomorrow. Nothing is asked until they end.
    interview_at(
        application=apply("ethan", "er_vet"),
        starts_at=now + 3 * HOUR,
        kind=Interview.Kind.VIDEO,
        actor=dana,
        now=now,
    )
    # Aisha's first-round screen three days ago: Lakeshore advanced her, but she rated
    # her interest 5/10, so the client's answer put her on Dana's call list for a debrief.
    aisha = apply("aisha", "er_vet")
    earlier_round(
        application=aisha,
        ended_at=now - 3 * DAY,
        actor=dana,
        now=now,
        kind=Interview.Kind.PHONE,
        candidate={
            "interest_level": 5,
            "still_interested": Feedback.StillInterested.UNSURE,
            "concerns": "Overnight ER shifts two weekends a month; commute from the south side.",
        },
        client={
            "decision": Feedback.Decision.ADVANCE,
            "rating": 4,
            "strengths": "Calm, structured triage answers.",
            "next_step": "Working interview on the ER floor",
        },
        client_after=30 * HOUR,
    )
    interview_at(application=aisha, starts_at=now + DAY, actor=dana, now=now)
    interview_at(
        application=apply("owen", "territory"),
        starts_at=now + DAY + 2 * HOUR,
        kind=Interview.Kind.PHONE,
        length=45 * MINUTE,
        actor=marcus,
        now=now,
    )

    # Ended three minutes ago and left as planned: the running sweep asks both parties
    # within seconds (inside the catch-up grace, so their windows are not shifted).
    # Her first round was ten days ago; Dana shared what went well with Lakeshore.
    maya = apply("maya", "er_vet")
    earlier_round(
        application=maya,
        ended_at=now - 10 * DAY,
        actor=dana,
        now=now,
        candidate={
            "interest_level": 8,
            "still_interested": Feedback.StillInterested.YES,
            "went_well": "Loved the new ICU and the team's case rounds.",
        },
        shared=["interest_band", "went_well"],
        client={
            "decision": Feedback.Decision.ADVANCE,
            "rating": 5,
            "strengths": "Excellent critical-care reasoning.",
            "next_step": "Meet the ER team on site",
        },
        client_after=4 * HOUR,
    )
    interview_at(application=maya, starts_at=now - 63 * MINUTE, actor=dana, now=now)

    # Asked 65 minutes ago, no answer: the candidate's reminder is due now.
    asked(
        interview_at(
            application=apply("jordan", "icu_tech"),
            starts_at=now - 125 * MINUTE,
            actor=dana,
            now=now,
        )
    )

    # Reminded, and the candidate deadline passed ten minutes ago: the sweep marks the
    # request overdue, the interest "possibly waned" and alerts Dana once.
    # (Her first round twelve days ago: Prairie View answered two and a half days later,
    # after its deadline.)
    hannah = apply("hannah", "associate")
    earlier_round(
        application=hannah,
        ended_at=now - 12 * DAY,
        actor=dana,
        now=now,
        candidate={"interest_level": 9, "still_interested": Feedback.StillInterested.YES},
        client={
            "decision": Feedback.Decision.ADVANCE,
            "rating": 4,
            "strengths": "Solid bovine herd-health experience.",
        },
        client_after=60 * HOUR,
    )
    interview = asked(
        interview_at(application=hannah, starts_at=now - 190 * MINUTE, actor=dana, now=now)
    )
    reminded(interview, Party.CANDIDATE)

    # Answered on time through the portal, 50 minutes after the interview, just now (his
    # second round; after the first, nine days ago, Prairie View put him on hold).
    luis = apply("luis", "associate")
    earlier_round(
        application=luis,
        ended_at=now - 9 * DAY,
        actor=dana,
        now=now,
        candidate={"interest_level": 7, "still_interested": Feedback.StillInterested.YES},
        client={
            "decision": Feedback.Decision.HOLD,
            "rating": 3,
            "concerns": "Little equine work so far; we'd like to see a second round.",
        },
        client_after=20 * HOUR,
    )
    interview = asked(
        interview_at(application=luis, starts_at=now - 110 * MINUTE, actor=dana, now=now)
    )
    answered(
        interview,
        Party.CANDIDATE,
        at=now,
        interest_level=9,
        still_interested=Feedback.StillInterested.YES,
        went_well="Great rapport with Dr. Hendricks; the ambulatory truck is well kitted.",
        concerns="On-call rotation every third weekend is more than I do now.",
        questions="Is there a CE allowance for the bovine repro course?",
    )

    # The client contact's deadline passed ten minutes ago (reminded at +24 h); the
    # candidate answered within the hour two days ago. The sweep alerts Marcus once.
    interview = asked(
        interview_at(
            application=apply("samantha", "manager"),
            starts_at=now - 48 * HOUR - 70 * MINUTE,
            kind=Interview.Kind.VIDEO,
            actor=marcus,
            now=now,
        )
    )
    answered(
        interview,
        Party.CANDIDATE,
        at=interview.ends_at + 35 * MINUTE,
        interest_level=8,
        still_interested=Feedback.StillInterested.YES,
        went_well="Clear plan for the new Nevada clinic; the team clearly gets along.",
        concerns="Salary range tops out below my current package.",
    )
    reminded(interview, Party.CLIENT)
    feedback_services.interview_mark_completed(interview=interview, actor=marcus, now=now)

    # Answered late: overdue and "possibly waned" for two hours until Kevin called back;
    # Marcus logged it by phone, which records the lateness and restores the interest.
    interview = asked(
        interview_at(
            application=apply("kevin", "territory"),
            starts_at=now - 5 * HOUR,
            kind=Interview.Kind.VIDEO,
            actor=marcus,
            now=now,
        )
    )
    overdue = reminded(interview, Party.CANDIDATE)
    sweep_at(interview, overdue.due_at)  # no answer by the deadline
    feedback_services.interview_mark_completed(interview=interview, actor=marcus, now=now)
    feedback_services.feedback_log_call(
        request=request_for(interview, Party.CANDIDATE),
        answers={
            "interest_level": 7,
            "still_interested": Feedback.StillInterested.YES,
            "went_well": "The product training programme and the Denver territory.",
            "concerns": "About 40% travel; wants to know how overnight stays are handled.",
            "wants_call": True,
            "preferred_call_time": "Weekdays after 4pm Pacific",
        },
        actor=marcus,
        now=now,
    )
    answered(
        interview,
        Party.CLIENT,
        at=now,
        channel=Feedback.Channel.CLIENT_PAGE,
        decision=Feedback.Decision.ADVANCE,
        rating=4,
        strengths="Strong clinic relationships from his distributor years.",
        concerns="Limited equine product knowledge.",
        next_step="Ride-along with the regional manager",
        next_step_date=(now + 7 * DAY).date(),
    )

    # Submitted, no interview yet.
    apply("rachel", "icu_tech")

    integrations_create(created_by=dana)
    wording_create(by=dana)


# --- the agency's wording ------------------------------------------------------------------


def wording_create(*, by) -> None:
    """The agency's own subject for the candidate's reminder (the rest as shipped): the
    admin's *Message wording* shows it beside the shipped text, ready to preview."""
    wording_services.message_wording_save(
        key="candidate_reminder",
        sources={"subject": "{{ candidate.first_name }}, one minute on {{ position.title }}?"},
        actor=by,
    )


# --- the agency's integrations ------------------------------------------------------------

DEMO_API_KEY = "Demo reporting (read only)"
DEMO_WEBHOOK = "Agency ATS (demo: off until pointed at a receiver)"


def integrations_create(*, created_by) -> None:
    """A read-only API key (its key was shown to nobody: make your own in the admin to try
    the API) and a webhook endpoint that is off, so that nothing is sent anywhere until a
    recruiter points it at a real receiver and turns it on."""
    api_services.api_key_create(name=DEMO_API_KEY, scope=ApiKey.Scope.READ, created_by=created_by)
    WebhookEndpoint.objects.create(
        name=DEMO_WEBHOOK,
        url="https://ats.example/hooks/tvr",
        events=list(EVENT_TYPES),
        enabled=False,
    )


def integrations_delete() -> None:
    keys = ApiKey.objects.filter(name=DEMO_API_KEY)
    actors = [key.actor_id for key in keys]
    keys.delete()
    get_user_model().objects.filter(pk__in=actors).delete()
    WebhookEndpoint.objects.filter(name=DEMO_WEBHOOK).delete()
