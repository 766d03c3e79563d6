"""What a key may do: a read-only key reads, a read-write key also writes."""

from rest_framework import permissions

from .models import ApiKey


class ApiKeyScope(permissions.BasePermission):
    message = "This API key is read-only."

    def has_permission(self, request, view):
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False
        return request.method in permissions.SAFE_METHODS or api_key.can_write


class StaffOrApiKey(permissions.BasePermission):
    """The schema and its page: for a key, or for staff signed in to the admin."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
