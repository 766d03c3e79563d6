"""Per-client figures of the client list (the admin's) and the client home, each kept a
minute in the cache; here the candidates in process per client (responsiveness is in
responsiveness)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from candidates.models import IN_PROCESS, Application, Position
from core.caching import get_many_or_compute

# Per-client figures of the client list and the client home, kept a minute in the cache
# (core.caching) under these prefixes.
CLIENT_FIGURES_CACHE_SECONDS = 60
IN_PROCESS_CACHE = "clients-in-process"
RESPONSIVENESS_CACHE = "client-responsiveness"


def clients_in_process_counts(*, client_ids: list[int]) -> dict[int, int]:
    """How many applications each client has in process, for a page of clients: one
    query, a count per position of theirs (summed here). Each count is one range of
    application_stage_idx read from the index alone; grouping all their applications by
    client instead joined and hashed every one (docs/benchmarks.md)."""
    in_process = (
        Application.objects.filter(position=OuterRef("pk"), stage__in=IN_PROCESS)
        .order_by()
        .values("position")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        Position.objects.filter(client_id__in=client_ids)
        .annotate(n=Coalesce(Subquery(in_process, output_field=IntegerField()), 0))
        .values_list("client_id", "n")
        .order_by()
    )
    counts: dict[int, int] = {}
    for client_id, n in rows:
        counts[client_id] = counts.get(client_id, 0) + n
    return counts


def clients_in_process_counts_recent(*, client_ids: list[int]) -> dict[int, int]:
    """clients_in_process_counts for the client list, each client's count computed at
    most once a minute: a page of clients counts every application in process of each,
    and the list is an overview."""
    return get_many_or_compute(
        IN_PROCESS_CACHE,
        client_ids,
        CLIENT_FIGURES_CACHE_SECONDS,
        lambda ids: clients_in_process_counts(client_ids=ids),
        default=0,
    )
