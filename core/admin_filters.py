"""The project's list filters take only the values they offer: a value they do not offer is
refused as Django's admin refuses a bad lookup."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters


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
