"""The signed-in contact and the client's home page: open positions with their pipeline
and a few candidates in process each, and the other positions by name."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from candidates.models import IN_PROCESS, Application, ClientContact, Position

from .positions import PositionSummary, _applications, _summaries, _with_story, client_positions


def contact_for_user(*, user) -> ClientContact | None:
    return ClientContact.objects.select_related("client").filter(user=user).first()


# The home page shows a bounded part of each list (a big client has thousands of candidates
# in process); the position page and "Your feedback" page through the rest. Five per
# position: the home is an overview (the furthest along, then the newest), and each one
# shown costs its interviews' dates and links to render, the most of the page's time.
HOME_CANDIDATES_PER_POSITION = 5
HOME_AWAITING = 10


# Which candidates in process the home page shows first: the furthest along, then the
# most recently submitted.
STAGE_RANK = Case(
    When(stage=Application.Stage.OFFER, then=Value(0)),
    When(stage=Application.Stage.INTERVIEWING, then=Value(1)),
    default=Value(2),
)


def _first_per_position(qs: QuerySet[Application], *, n: int) -> QuerySet[Application]:
    """The ids of at most `n` applications of each position in `qs`: the furthest along,
    then the newest. A window over the client's applications in process (a few thousand
    at most) that reads only application_position_ids_idx (position, stage, with id and
    created_at); the caller then reads the rows it keeps by id. Ranking the rows
    themselves read each one and its candidate first, for all of the client's
    applications in process."""
    return (
        qs.order_by()
        .annotate(
            rank_in_position=Window(
                RowNumber(),
                partition_by=[F("position_id")],
                order_by=[STAGE_RANK.asc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank_in_position__lte=n)
        .values("pk")
    )


@dataclass
class ClientOverview:
    open_positions: list[PositionSummary]
    other_positions: list[Position]


def client_overview(*, contact: ClientContact, now: datetime | None = None) -> ClientOverview:
    """The home page: open positions with their pipeline and the first
    HOME_CANDIDATES_PER_POSITION candidates in process (the position page has the rest);
    the client's other positions by name."""
    now = now or timezone.now()
    positions = list(client_positions(contact=contact))
    open_positions = [p for p in positions if p.status == Position.Status.OPEN]
    first = _first_per_position(
        _applications(
            contact=contact, position_ids=[p.pk for p in open_positions], stages=IN_PROCESS
        ),
        n=HOME_CANDIDATES_PER_POSITION,
    )
    applications = _with_story(Application.objects.filter(pk__in=first))
    return ClientOverview(
        open_positions=_summaries(
            contact=contact, positions=open_positions, applications=applications, now=now
        ),
        other_positions=[p for p in positions if p.status != Position.Status.OPEN],
    )
