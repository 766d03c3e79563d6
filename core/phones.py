"""Phone numbers as the SMS providers take them: E.164 (+15551234567), read with
phonenumbers (a number without a country code is read as PHONENUMBER_DEFAULT_REGION's)."""

from phonenumber_field.formfields import PhoneNumberField


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
