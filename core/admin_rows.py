"""Cheaper per-row cells for the admin's change lists.

A change list page's time is mostly rendering its rows (see core.paginators); the
one cell every row of a list with actions has, the selection checkbox, rendered a form
widget's template per row, a cost paid again on every row of every page
(docs/benchmarks.md). A count per row (`subquery_count`) is a column of the list's one
query, not a query per row.
"""

from django.contrib.admin import helpers
from django.db.models import Count, IntegerField, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext as _


class CheapRowsMixin:
    """For a ModelAdmin: the same row checkbox as Django's, written without a template."""

    def action_checkbox(self, obj):
        # The HTML of Django's ModelAdmin.action_checkbox (a CheckboxInput that is never
        # checked), attributes in the same order.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


def subquery_count(queryset, *, group_by: str):
    """COUNT(*) of `queryset` (filtered on an OuterRef) as a column: one subquery per row,
    no join that would multiply the outer rows."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
