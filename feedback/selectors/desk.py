"""What the dashboard's sections share: a recruiter's desk as a query condition, and each
row's story read once for all of them.

Each section is one query (the interview days, feedback awaited and its count, the call
list, client feedback overdue, the latest answers, and one aggregate per chart), bounded
by DASHBOARD_LIMIT rows, so the page costs the same however big the desk is. A section
reads "this recruiter's desk" as: a candidate's side belongs to the candidate's owner,
a client's side to the position's recruiter (who gets the alerts in the loop too). Both
are read from the copies kept on the applications, interviews and feedback requests
(`candidate_owner`, `position_recruiter`, a request's `desk`, kept right by
candidates.services and feedback.services.desks): through the candidates and positions,
every desk condition was four joins for each row a section looked at.
"""

from django.db.models import Q

from candidates.models import Recruiter

DASHBOARD_LIMIT = 25


def _desk(recruiter: Recruiter | None, *paths: str) -> Q:
    """Rows where any of `paths` is this recruiter; everything when recruiter is None."""
    q = Q()
    if recruiter is not None:
        for path in paths:
            q |= Q(**{path: recruiter})
    return q


def _request_desk(recruiter: Recruiter | None, prefix: str = "") -> Q:
    """Requests on this recruiter's desk (the copy kept on each request)."""
    return Q() if recruiter is None else Q(**{f"{prefix}desk": recruiter})


def _attach(rows: list, field: str) -> list:
    """Set each row's foreign key `field` to its object, read in one query for all the
    rows (by id: cheaper to build than prefetch_related's lookup for a few hundred ids).
    Returns the related objects."""
    if not rows:
        return []
    model = rows[0]._meta.get_field(field).related_model
    related = model.objects.in_bulk({getattr(row, f"{field}_id") for row in rows})
    for row in rows:
        setattr(row, field, related[getattr(row, f"{field}_id")])
    return list(related.values())


def _load_stories(*, requests=(), interviews=(), applications=()) -> None:
    """What the dashboard shows of each row's story (its interview, application, candidate,
    position, client and hiring contact), one query per table for the rows of every
    section at once. Joined into each section's query, the planner spent longer choosing
    the order of seven tables than running the query (docs/benchmarks.md)."""
    interviews = [*interviews, *_attach(list(requests), "interview")]
    applications = [*applications, *_attach(interviews, "application")]
    _attach(applications, "candidate")
    positions = _attach(applications, "position")
    _attach(positions, "client")
    _attach(positions, "hiring_contact")
