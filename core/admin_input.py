"""What the recruiter admin reads from a request (ids, list filter values, initial
values, selected rows) is checked before it reaches a query.

Django's admin hands several of these to the database as they come: an id "abc" or a
number past bigint in an autocomplete field or an action's selection, "?lateness=abc"
(the admin takes a lookup on any field of the model), a NUL byte in any text. PostgreSQL
refuses them with an error, which was a 500. Here a value is read the way its model field
reads it (`field_value`), and one the field cannot hold gets the admin's own answer to a
bad lookup (the list redirected to "?e=1"), the form's error, a 404 for an id, or a 400.

`RecruiterAdminSite` (tvr_site.admin_site) serves every ModelAdmin with
`CheckedInputMixin` and refuses a NUL byte in any admin query string (`refuse_nul`).
"""

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import models

# Lookups that compare the whole value with the column: their value must be one the field
# can hold. (Others, e.g. "__year" or "__isnull", Django reads itself.)
WHOLE_VALUE_LOOKUPS = {"exact", "iexact", "gt", "gte", "lt", "lte", "in"}


def field_value(field: models.Field, value):
    """`value` as `field` reads it (an int for an id, a timedelta for a duration, …), or
    ValidationError if the field cannot hold it: "abc" for an id, a number past the
    column's range, a duration past Python's."""
    try:
        typed = field.to_python(value)
        if isinstance(field, models.IntegerField | models.GenericIPAddressField):
            # The column's range (e.g. bigint); an address PostgreSQL's inet can hold.
            field.run_validators(typed)
    except (ValueError, TypeError, OverflowError) as error:
        raise ValidationError(f"{field.name}: {error}") from error
    return typed


def is_value_of(field: models.Field, value) -> bool:
    try:
        field_value(field, value)
    except ValidationError:
        return False
    return True


def _compared_field(model, lookup: str) -> tuple[models.Field | None, str]:
    """The field a lookup ("client__id__exact", "lateness") compares, and how."""
    opts, field, parts = model._meta, None, lookup.split("__")
    while parts:
        name = parts[0]
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:
            break
        parts.pop(0)
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    if field is None:
        return None, ""
    if field.is_relation:
        # Compared with the related row's key (or the field a foreign key points to).
        field = getattr(field, "target_field", None) or opts.pk
    if len(parts) > 1:
        return field, "__".join(parts)  # a transform: Django reads it
    return field, parts[0] if parts else "exact"


def lookup_value(model, lookup: str, value):
    """A query string's value for a lookup on `model`, as the compared field reads it
    (each item of a list); ValidationError if the field cannot hold it."""
    field, how = _compared_field(model, lookup)
    if field is None or how not in WHOLE_VALUE_LOOKUPS:
        return value
    if isinstance(value, list):
        return [field_value(field, item) for item in value]
    return field_value(field, value)


def refuse_nul(request) -> None:
    """A NUL byte in the query string is a bad request: PostgreSQL can neither store nor
    compare NUL in text, so no filter, search or id of the admin can contain one (forms
    refuse it in their fields themselves)."""
    if any("\x00" in key or "\x00" in value for key, value in _items(request.GET)):
        raise BadRequest("A NUL character in the query string.")


def _items(query):
    for key, values in query.lists():
        for value in values:
            yield key, value


class CheckedChangeList(ChangeList):
    """Django's change list, whose lookups on the model's own fields from the query
    string (the admin takes any: "?lateness=abc", "?id__in=1,x") are read as their field
    reads them first: a value the field cannot hold redirects to "?e=1", as Django's own
    bad lookups do, instead of reaching the database."""

    def get_filters(self, request):
        try:
            filter_specs, has_filters, lookup_params, *rest = super().get_filters(request)
        except OverflowError as error:  # a date hierarchy's year past any date's
            raise IncorrectLookupParameters(error) from error
        try:
            lookup_params = {
                key: [lookup_value(self.model, key, value) for value in values]
                for key, values in lookup_params.items()
            }
        except ValidationError as error:
            raise IncorrectLookupParameters(error) from error
        return (filter_specs, has_filters, lookup_params, *rest)


class IdAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, showing a submitted value that is no id of the
    related model as nothing chosen (the field's error says why) instead of querying for
    it."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [v for v in value if is_value_of(target, v)], attr)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a submitted value that is no id of the model before querying
    for it (SQLite cannot take an int past 64 bits as a parameter of "IN")."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            opts = self.queryset.model._meta
            key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
            for item in value:
                if not is_value_of(key, item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super().clean(value)


class IdAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete fields use IdAutocompleteSelect,
    its many-to-many fields IdMultipleChoiceField."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = IdAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CheckedInputMixin(IdAutocompleteMixin):
    """For a ModelAdmin: its change list, add page and forms and its actions check what
    they read."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if changelist is ChangeList:
            return CheckedChangeList
        if not issubclass(changelist, CheckedChangeList):
            raise TypeError(f"{changelist.__name__} must subclass CheckedChangeList")
        return changelist

    def get_changeform_initial_data(self, request):
        """The add page's initial values from the query string ("?application=12"),
        without those their field cannot hold (the page opens without them)."""
        initial = {}
        for name, value in super().get_changeform_initial_data(request).items():
            try:
                initial[name] = lookup_value(self.model, name, value)
            except ValidationError:
                continue
        return initial

    def response_action(self, request, queryset):
        """An action on selected rows: a selection that is no id of this model is a bad
        request (Django's admin would query for it)."""
        pk = self.opts.pk
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_value_of(pk, value) for value in selected):
            raise BadRequest("The selection is not a list of ids.")
        return super().response_action(request, queryset)


def checked_admin_class(admin_class: type) -> type:
    """`admin_class` with CheckedInputMixin (itself if it has it already)."""
    if issubclass(admin_class, CheckedInputMixin):
        return admin_class
    return type(admin_class.__name__, (CheckedInputMixin, admin_class), {})
