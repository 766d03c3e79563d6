"""Phone numbers as the SMS providers take them: E.164 (+15551234567), read with
phonenumbers (a number without a country code is read as PHONENUMBER_DEFAULT_REGION's)."""

import phonenumbers
from django.conf import settings
from django.db.models import F, Func, Value
from phonenumber_field.formfields import PhoneNumberField


def e164(number: str) -> str:
    """The number in E.164, or "" when it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(number, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def spellings(number: str) -> list[str]:
    """How a stored number (without its spaces, dashes, dots and brackets: see
    `digits_of`) may spell an E.164 number: itself, or national digits when the country
    is the default one."""
    parsed = phonenumbers.parse(number)
    found = [number]
    if phonenumbers.region_code_for_number(parsed) == settings.PHONENUMBER_DEFAULT_REGION:
        found.append(phonenumbers.national_significant_number(parsed))
    return found


def digits_of(field: str):
    """A stored phone number without the marks people type in them, in SQL."""
    expression = F(field)
    for mark in (" ", "-", "(", ")", ".", "\u00a0"):
        expression = Func(expression, Value(mark), Value(""), function="REPLACE")
    return expression


class E164PhoneField(PhoneNumberField):
    """A form field that refuses a number that cannot be one (with the field's error)
    and gives a valid one in E.164; empty stays empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Enter a valid phone number, e.g. +1 773 555 0123 or (773) 555-0123."},
        )
        super().__init__(**kwargs)

    def clean(self, value):
        number = super().clean(value)
        return number.as_e164 if number else ""
