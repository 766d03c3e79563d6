"""Inlines the recruiter's admin pages share."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Shows related rows with a link to their own page; they are changed there."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
