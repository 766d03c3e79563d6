"""The project's list filters take only the values they offer: a value they do not offer is
refused as Django's admin refuses a bad lookup."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Exists


class StrictListFilter(admin.SimpleListFilter):
    """A list filter that takes only the values it offers. Another one (typed into the
    address, or left in an old link) redirects to the list with "?e=1", as Django's own
    filters do with a bad value, rather than showing the list unfiltered or reaching the
    database (e.g. "?recruiter=²", a digit to str.isdigit() and not to int(), or a
    number past bigint)."""

    def accepts(self, value: str) -> bool:
        return value in {str(choice) for choice, _ in self.lookup_choices}

    def value(self):
        value = super().value()
        if value is not None and not self.accepts(value):
            raise IncorrectLookupParameters(f"{self.parameter_name}: no such choice")
        return value


class ExistsFilter(StrictListFilter):
    """A yes/no filter on whether a related row exists (no join, no DISTINCT)."""

    def related(self, request):  # a queryset filtered on OuterRef("pk")
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        exists = Exists(self.related(request))
        return queryset.filter(exists if self.value() == "yes" else ~exists)
