"""Paging that never counts a whole table: a paginator for the big admin tables (outbox,
timeline, requests, interviews, …), and `list_page` for a page's list that is as dear
to count as to show (the client pages' request lists).

Django's admin counts the rows of every change list page it shows; on a table of millions
that full COUNT(*) is the slowest query of the page. Here:

- unfiltered, on PostgreSQL, a big table's size comes from the planner's estimate
  (pg_class.reltuples, kept by autovacuum/ANALYZE), a small one's is counted: one
  statement either way;
- otherwise rows are counted up to COUNT_CAP and no further
  (SELECT COUNT(*) FROM (… LIMIT cap + 1)), so a broad filter costs a bounded scan.

What a page lists is always exact; only the total (and so the number of pages) may be
approximate, which `count_note` says ("about", "more than") for the admin's pagination
template. Pair it with `show_full_result_count = False` on the ModelAdmin, which drops the
admin's second, unfiltered count.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.functional import cached_property

from .admin_rows import CheapRowsMixin
from .params import bounded_int

COUNT_CAP = 10_000
# Below this estimate the real count is cheap enough (and exact).
ESTIMATE_FROM = 50_000


class CountFreePaginator(Paginator):
    count_note = ""  # "", "about" (an estimate) or "more than" (capped)

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        if self._estimable(queryset):
            estimate, counted = self._estimate_else_count(queryset)
            if estimate >= ESTIMATE_FROM:
                self.count_note = "about"
                return estimate
        else:
            counted = queryset[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.count_note = "more than"
            return COUNT_CAP
        return counted

    @staticmethod
    def _estimable(queryset) -> bool:
        """An unfiltered list of a table, on PostgreSQL: its size can be estimated."""
        query = queryset.query
        return connections[queryset.db].vendor == "postgresql" and not (
            query.where or query.distinct or query.combinator
        )

    @staticmethod
    def _estimate_else_count(queryset) -> tuple[int, int | None]:
        """The planner's row estimate for the table, and, below ESTIMATE_FROM, its rows
        counted up to the cap: one statement either way, so that a list costs the same
        number of queries small and big (the count's subquery runs only when its branch
        is taken; never analysed, the estimate is -1 and the rows are counted)."""
        connection = connections[queryset.db]
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT estimate, CASE WHEN estimate < %s THEN
                          (SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT %s) capped)
                        END
                    FROM (SELECT COALESCE(
                            (SELECT reltuples::bigint FROM pg_class
                             WHERE oid = to_regclass(%s)), -1) AS estimate) planner""",
                [ESTIMATE_FROM, COUNT_CAP + 1, table],
            )
            return cursor.fetchone()


class BigTableMixin(CheapRowsMixin):
    """For the ModelAdmin of a table that grows with the business (candidates, requests,
    the outbox, the timeline, …): nothing on its change list counts or scans the table,
    and its rows render with the cheaper cells of core.admin_rows.

    - the count-free paginator, and no second, unfiltered count;
    - no facet counts (`show_facets`): "show counts" would count every filter choice over
      the whole table;
    - no `date_hierarchy`: its links need SELECT DISTINCT DATE_TRUNC(…) over every row,
      which grows with the table; the "when" list filters (candidates.admin_filters) cover
      the same need with indexed ranges;
    - 50 rows a page, not the admin's 100: a page's time is mostly rendering its rows (its
      queries are index ranges of a page's size, whatever the table's), and 50 rows is
      still more than a screen; the next page is one click (or a filter) away.
    """

    list_per_page = 50
    paginator = CountFreePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = None


@dataclass
class ListPage:
    """A page of a list read without counting the list: one row more than the page shows
    tells whether there is a next page. For lists whose count costs as much as the page
    (many joins, thousands of rows): "previous" and "next", no page count."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def list_page(
    qs: QuerySet,
    *,
    page: str | int,
    size: int,
    max_page: int,
    select_related: tuple[str, ...] = (),
    prefetch=(),
) -> ListPage:
    """Page `page` of `qs` (a page number that is no number is the first, one past
    `max_page` is `max_page`), its rows read with `select_related` and `prefetch`.

    The page's ids are chosen in a subquery, from the indexes `qs` can use, and only its
    rows are read with their related rows: with `qs`'s filters repeated around the
    subquery, the planner joined every related row before keeping the page's."""
    number = bounded_int(page, default=1, minimum=1, maximum=max_page)
    offset = (number - 1) * size
    ids = qs.values("pk")[offset : offset + size + 1]
    rows = list(
        qs.model._default_manager.filter(pk__in=ids)
        .select_related(*select_related)
        .order_by(*qs.query.order_by)
    )
    prefetch_related_objects(rows, *prefetch)
    return ListPage(rows=rows[:size], number=number, has_next=len(rows) > size)
