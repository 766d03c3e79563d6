"""The isolation matrix: every URL under /clients/, every persona, every object of another
client. A contact of client A sees A's objects and gets the same 404 page for anything
else, whether it belongs to another client or does not exist at all."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates import services as candidate_services
from clients import urls as client_urls
from clients.forms import SIGN_IN_REFUSED
from feedback.models import Feedback, FeedbackRequest, Party
from tests import personas
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    PositionFactory,
    contact_with_login,
    link_path,
    schedule_interview,
    token_of,
)

pytestmark = pytest.mark.django_db

# Every named route under /clients/, by who may open it. A new route must be added here,
# or test_every_route_is_in_the_matrix fails.
CONTACT_PAGES = {"home": None, "requests": None, "position": "position_id", "request": "request_id"}
SIGNED_LINKS = {"feedback", "thanks"}
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation",
}
NOT_FOUND_TEXT = "We could not find that page"
LINK_REFUSED_TEXT = "We could not open this link"
VALID_ANSWER = {"decision": "advance", "rating": "4", "strengths": "Calm."}


def url(name: str, **kwargs) -> str:
    return reverse(f"clients:{name}", kwargs=kwargs)


def own_urls(world) -> list[str]:
    return [
        url("home"),
        url("requests"),
        url("position", position_id=world.position.pk),
        url("request", request_id=world.client_request.pk),
    ]


def foreign_object_urls(mine, theirs) -> list[str]:
    """Object URLs a contact of `mine` must never open: the other client's position and
    requests, and requests of its own client that are not its own client requests."""
    colleague = contact_with_login(client=mine.client, email=f"colleague@{mine.client.pk}.example")
    other_position = PositionFactory(client=mine.client, hiring_contact=colleague)
    colleague_request = schedule_interview(
        application=ApplicationFactory(
            candidate=mine.application.candidate, position=other_position
        ),
        ends_at=mine.interview.ends_at,
    ).feedback_requests.get(party=Party.CLIENT)
    return [
        url("position", position_id=theirs.position.pk),
        url("request", request_id=theirs.client_request.pk),
        url("request", request_id=theirs.candidate_request.pk),
        url("request", request_id=mine.candidate_request.pk),  # the candidate's, not ours
        url("request", request_id=colleague_request.pk),  # a colleague's to answer
    ]


def page_text(response) -> str:
    """The page without its CSRF token (masked afresh on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def assert_not_found(response, *hidden: str):
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_FOUND_TEXT in html
    for text in hidden:
        assert text not in html


def test_every_route_is_in_the_matrix():
    names = {pattern.name for pattern in client_urls.urlpatterns}
    assert names == set(CONTACT_PAGES) | SIGNED_LINKS | PUBLIC


# --- the owner ---------------------------------------------------------------------------


def test_a_contact_opens_its_own_pages(worlds_asked, client_a):
    world_a, world_b = worlds_asked
    for path in own_urls(world_a):
        response = client_a.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert world_a.client.name in html
        for text in world_b.names:
            assert text not in html, (path, text)
        assert "no-store" in response["Cache-Control"]


def test_a_contact_gets_404_for_every_object_of_another_client(worlds_asked, client_a):
    world_a, world_b = worlds_asked
    missing = client_a.get(url("position", position_id=999_999))
    assert_not_found(missing)

    for path in foreign_object_urls(world_a, world_b):
        response = client_a.get(path)
        assert_not_found(response, *world_b.names)
        # The same page as for an id that does not exist: nothing tells them apart.
        assert page_text(response) == page_text(missing), path
        posted = client_a.post(path, VALID_ANSWER)
        if "/requests/" in path:
            assert_not_found(posted, *world_b.names)
        else:
            assert posted.status_code == 405  # read-only page, whoever's object
    assert not Feedback.objects.exists()
    world_b.client_request.refresh_from_db()
    assert world_b.client_request.status == FeedbackRequest.Status.PENDING
    assert world_b.client_request.opened_at is None


def test_contact_b_is_refused_client_as_objects_too(worlds_asked, client_b):
    world_a, world_b = worlds_asked
    for path in foreign_object_urls(world_b, world_a):
        assert_not_found(client_b.get(path), *world_a.names)


def test_an_application_moved_to_another_clients_position_takes_its_requests_along(
    worlds_asked, client_a, client_b
):
    """The client pages find requests by the position kept on each request: when the
    recruiter moves an application to client B's position, client A loses the request
    and client B gets it."""
    world_a, world_b = worlds_asked
    request_page = url("request", request_id=world_a.client_request.pk)
    assert client_a.get(request_page).status_code == 200

    world_a.application.position = world_b.position
    candidate_services.application_save(application=world_a.application, fields=["position"])

    assert_not_found(client_a.get(request_page), world_a.application.candidate.full_name)
    assert world_a.application.candidate.full_name not in page_text(client_a.get(url("home")))
    assert client_b.get(request_page).status_code == 200
    assert world_a.application.candidate.full_name in page_text(client_b.get(url("home")))


# --- the anonymous visitor, recruiters and other users -------------------------------------


@pytest.fixture
def plain_user(db):
    """Someone with a login who is neither staff nor a client's contact, with a session
    all the same."""
    user = get_user_model().objects.create_user(username="someone", password=PASSWORD)
    return personas.signed_in_by_force("plain user", user)


def test_an_anonymous_visitor_is_sent_to_the_login(worlds_asked, anonymous):
    world_a, world_b = worlds_asked
    for path in own_urls(world_a) + own_urls(world_b):
        for response in (anonymous.get(path), anonymous.post(path, VALID_ANSWER)):
            assert response.status_code == 302, path
            location = urlsplit(response["Location"])
            assert location.path == url("login")
            assert parse_qs(location.query) == {"next": [path]}
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("persona", ["recruiter", "plain_user"])
def test_staff_and_other_users_cannot_use_the_client_pages(worlds_asked, persona, request):
    world_a, _ = worlds_asked
    who = request.getfixturevalue(persona)
    for path in own_urls(world_a):
        response = who.get(path)
        assert response.status_code == 403, path
        html = response.content.decode()
        assert "These pages are for our clients" in html
        assert world_a.client.name not in html
    assert who.post(url("request", request_id=world_a.client_request.pk)).status_code == 403
    assert not Feedback.objects.exists()


def test_a_staff_user_linked_to_a_contact_is_still_refused(worlds_asked):
    world_a, _ = worlds_asked
    world_a.user.is_staff = True
    world_a.user.save()
    staff = personas.signed_in_by_force("staff contact", world_a.user)
    assert staff.get(url("home")).status_code == 403


def test_the_login_form_refuses_staff_and_users_without_a_contact(
    worlds_asked, anonymous, recruiter, plain_user
):
    for user in (recruiter.user, plain_user.user):
        response = anonymous.post(url("login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 200
        assert SIGN_IN_REFUSED in response.content.decode()
        assert "_auth_user_id" not in anonymous.session


# --- signed links --------------------------------------------------------------------------


def test_a_candidates_portal_link_never_opens_a_client_page(worlds_asked, anonymous):
    world_a, _ = worlds_asked
    portal_link = link_path(world_a.candidate_request)
    assert anonymous.get(portal_link).status_code == 200  # the portal itself opens
    candidate_token = token_of(world_a.candidate_request)

    for name in SIGNED_LINKS:
        response = anonymous.get(url(name, token=candidate_token))
        assert response.status_code == 404
        assert LINK_REFUSED_TEXT in response.content.decode()
    # Holding a portal link signs nobody in.
    assert anonymous.get(url("home")).status_code == 302


def test_a_client_link_opens_its_one_request_and_signs_nobody_in(worlds_asked, anonymous):
    world_a, world_b = worlds_asked
    path = url("feedback", token=token_of(world_a.client_request))
    html = anonymous.get(path).content.decode()
    assert world_a.application.candidate.full_name in html
    for text in world_b.names:
        assert text not in html
    assert anonymous.get(url("home")).status_code == 302
    assert anonymous.get(url("request", request_id=world_a.client_request.pk)).status_code == 302

    assert anonymous.post(path, VALID_ANSWER).status_code == 302
    answered = Feedback.objects.get()
    assert answered.request == world_a.client_request
    world_b.client_request.refresh_from_db()
    assert world_b.client_request.status == FeedbackRequest.Status.PENDING


def test_a_client_link_edited_to_another_requests_key_is_refused(worlds_asked, anonymous):
    world_a, world_b = worlds_asked
    token = token_of(world_a.client_request)
    forged = (
        str(world_b.client_request.token_key) + token[len(str(world_a.client_request.token_key)) :]
    )
    for name in SIGNED_LINKS:
        response = anonymous.get(url(name, token=forged))
        assert response.status_code == 404
        assert LINK_REFUSED_TEXT in response.content.decode()
    assert anonymous.post(url("feedback", token=forged), VALID_ANSWER).status_code == 404
    assert not Feedback.objects.exists()


# --- random ids and tokens ---------------------------------------------------------------

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Path segments as a browser could send them: anything but "/", percent-encoded by reverse.
segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"),
    min_size=1,
    max_size=80,
)


@FUZZ
@given(data=st.data())
def test_random_ids_never_open_another_clients_object_nor_fail(worlds_asked, client_a, data):
    world_a, world_b = worlds_asked
    own = {
        "position": {world_a.position.pk},
        "request": {world_a.client_request.pk},
    }
    foreign_ids = [
        world_b.position.pk,
        world_b.client_request.pk,
        world_b.candidate_request.pk,
        world_a.candidate_request.pk,
    ]
    name = data.draw(st.sampled_from(["position", "request"]))
    object_id = data.draw(
        st.one_of(
            st.sampled_from(foreign_ids),
            st.integers(min_value=0, max_value=2**70),
        )
    )
    response = client_a.get(url(name, **{CONTACT_PAGES[name]: object_id}))
    if object_id in own[name]:
        assert response.status_code == 200
    else:
        assert_not_found(response, *world_b.names)


@FUZZ
@given(data=st.data())
def test_random_tokens_never_open_a_request_nor_fail(worlds_asked, anonymous, data):
    world_a, world_b = worlds_asked
    real = [token_of(r) for r in (world_a.client_request, world_b.client_request)]
    token = data.draw(
        st.one_of(
            segment,
            # A real token with one character changed, cut short or extended.
            st.builds(
                lambda t, i, c: t[:i] + c + t[i + 1 :],
                st.sampled_from(real),
                st.integers(min_value=0, max_value=90),
                st.characters(whitelist_categories=("Ll", "Lu", "Nd")),
            ),
        )
    )
    if token in real:
        return  # an unchanged token is the link's owner, not a forgery
    name = data.draw(st.sampled_from(sorted(SIGNED_LINKS)))
    method = data.draw(st.sampled_from(["get", "post"]))
    response = getattr(anonymous, method)(url(name, token=token), VALID_ANSWER)
    assert response.status_code in (404, 405), (name, token, response.status_code)
    html = response.content.decode()
    for text in world_a.names + world_b.names:
        assert text not in html
    assert not Feedback.objects.exists()


@FUZZ
@given(name=st.sampled_from(["password_reset_confirm", "invitation"]), uid=segment, token=segment)
def test_random_set_password_links_show_the_expired_page_and_sign_nobody_in(
    worlds_asked, anonymous, name, uid, token
):
    response = anonymous.get(url(name, uidb64=uid, token=token))
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # only a valid token redirects; none is valid here
        pytest.fail(f"a random link was accepted: {uid!r} {token!r}")
    assert 'id="link-invalid"' in response.content.decode()
    assert "_auth_user_id" not in anonymous.session


def test_the_fuzzed_patterns_are_every_object_and_link_pattern():
    variable = {p.name for p in client_urls.urlpatterns if re.search(r"<", str(p.pattern))}
    assert variable == {"position", "request"} | SIGNED_LINKS | {
        "password_reset_confirm",
        "invitation",
    }


def test_an_expired_client_link_says_so_and_offers_the_sign_in_and_a_call(
    worlds_asked, anonymous, clock
):
    world_a, _ = worlds_asked
    path = url("feedback", token=token_of(world_a.client_request))
    clock.shift(django_settings.PORTAL_LINK_MAX_AGE + dt.timedelta(minutes=1))
    response = anonymous.get(path)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert f'href="{url("login")}"' in html
    recruiter = world_a.position.recruiter  # the position's, who handles the client
    assert recruiter.full_name in html
    assert world_a.application.candidate.owner.full_name not in html
    assert anonymous.post(path, VALID_ANSWER).status_code == 410
    assert not Feedback.objects.exists()
