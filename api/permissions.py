"""What a key may do: a read-only key reads, a read-write key also writes."""

from rest_framework import permissions

from feedback.roles import is_verified_recruiter

from .models import ApiKey


class ApiKeyScope(permissions.BasePermission):
    message = "This API key is read-only."

    def has_permission(self, request, view):
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False
        return request.method in permissions.SAFE_METHODS or api_key.can_write


class StaffOrApiKey(permissions.BasePermission):
    """The schema and its page: for a key, or for a recruiter signed in to the admin (with
    the second factor)."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        return request.user is not None and is_verified_recruiter(request.user)
