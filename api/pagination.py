"""Cursor pagination: stable pages while rows change, and no COUNT over a big table.
A change feed walks oldest change first, so `updated_since` plus the cursor reads it."""

from rest_framework.pagination import CursorPagination


class ByIdCursorPagination(CursorPagination):
    ordering = ("id",)
    page_size_query_param = "page_size"
    max_page_size = 200


def cursor_by(field: str) -> type[CursorPagination]:
    """Pages in the order of `field` (then id): the column `updated_since` reads."""
    return type(
        f"By{field.title().replace('_', '')}CursorPagination",
        (ByIdCursorPagination,),
        {"ordering": (field, "id")},
    )


ByUpdate = cursor_by("updated_at")
BySubmission = cursor_by("submitted_at")
ByCreation = cursor_by("created_at")
