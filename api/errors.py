"""Errors as DRF's field-level 400s: a service's ValidationError, and a row that breaks a
constraint that a concurrent write got to first, are the client's to fix, not 500s."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(
            detail={"non_field_errors": ["This conflicts with a record that exists already."]}
        )
    return drf_exception_handler(exc, context)
