"""factory_boy factories for the domain, with realistic veterinary-hiring values; and how a
test reaches what they built (an interview's requests, the link to a request)."""

import datetime as dt
from urllib.parse import urlsplit

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from candidates.models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Position,
    Recruiter,
)
from feedback import roles, selectors, tokens
from feedback.models import FeedbackRequest, Party

# Every factory-made user's password.
PASSWORD = "pw-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@tvr.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class RecruiterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recruiter

    user = factory.SubFactory(UserFactory, is_staff=True)
    office_phone = "+1 312 555 0100"
    cell_phone = "+1 312 555 0199"
    time_zone = "America/Chicago"
    signature = "Senior Recruiter, TVR Veterinary Search"


def recruiter_with_login(**kwargs) -> Recruiter:
    """A staff user in the Recruiter group with a Recruiter profile (Chicago)."""
    recruiter = RecruiterFactory(**kwargs)
    recruiter.user.groups.add(roles.recruiter_group_sync())
    return recruiter


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Lakeshore Animal Hospital {n}")
    kind = "Specialty and emergency hospital"
    city = "Chicago"
    time_zone = "America/Chicago"


class ClientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    title = "Medical Director"
    email = factory.Sequence(lambda n: f"hiring{n}@client.example")
    phone = "+1 312 555 0142"
    time_zone = "America/Chicago"


def contact_with_login(*, client=None, email: str, **kwargs) -> ClientContact:
    """A client contact with a login of their own (the email is the username)."""
    user = UserFactory(username=email, email=email)
    extra = {"client": client} if client is not None else {}
    return ClientContactFactory(user=user, email=email, **extra, **kwargs)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    client = factory.SubFactory(ClientFactory)
    title = "Emergency Veterinarian"
    location = "Chicago, IL"
    recruiter = factory.SubFactory(RecruiterFactory)
    hiring_contact = factory.SubFactory(
        ClientContactFactory, client=factory.SelfAttribute("..client")
    )


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"candidate{n}@mail.example")
    phone = "+1 773 555 0123"
    time_zone = "America/Chicago"
    specialty = "Emergency and critical care"
    owner = factory.SubFactory(RecruiterFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    position = factory.SubFactory(
        PositionFactory, recruiter=factory.SelfAttribute("..candidate.owner")
    )
    # The desk copy candidates.services.application_save keeps.
    candidate_owner = factory.SelfAttribute("candidate.owner")


def schedule_interview(*, application=None, ends_at=None, length=dt.timedelta(hours=1), **kwargs):
    """An interview through the real service, so its feedback requests are planned."""
    from feedback.services import interview_schedule

    application = application or ApplicationFactory()
    ends_at = ends_at or timezone.now() + dt.timedelta(hours=2)
    return interview_schedule(
        application=application,
        starts_at=ends_at - length,
        ends_at=ends_at,
        time_zone=kwargs.pop("time_zone", "America/Chicago"),
        location=kwargs.pop("location", "Lakeshore Animal Hospital, 1200 N Lake Shore Dr"),
        **kwargs,
    )


def request_of(interview, party: str = Party.CANDIDATE) -> FeedbackRequest:
    """One party's feedback request for an interview (scheduling plans both)."""
    return interview.feedback_requests.get(party=party)


def token_of(request: FeedbackRequest) -> str:
    """The signed token of a request's link, as the mail carries it."""
    return tokens.token_make(party=request.party, token_key=request.token_key)


def link_path(request: FeedbackRequest) -> str:
    """The path of a request's link, exactly as built for the mail."""
    return urlsplit(selectors.feedback_request_link(request=request)).path
