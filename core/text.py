"""What a person may type, and how much: the one place for the bounds of free text.

Two kinds of field take typed text:
- a line (a name, a title, a phone number, a place): on one line, without control
  characters, at most NAME_MAX_LENGTH characters unless the field says fewer;
- free text (an answer's "went well", a concern, a signature): several lines, at most
  FREE_TEXT_MAX_LENGTH characters, and no control characters but tab and line breaks.

The models use `line_field` and `free_text_field`, so every form built from them (the
admin's, the portal's, the client pages') checks the same rule, renders the `maxlength`
attribute and says the limit in its help text. Mails are written from stored rows, and a
row may have been written around the forms (an import, a shell): `single_line` and
`plain_text` make such text harmless where the mails are written.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible

FREE_TEXT_MAX_LENGTH = 4000
NAME_MAX_LENGTH = 200

# C0 controls (CR and LF among them), DEL, C1 controls, and Unicode's line and paragraph
# separators: none belongs in a line.
_NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A run of them, made one space by single_line.
_RUN_NOT_IN_A_LINE = re.compile(f"(?:{_NOT_IN_A_LINE.pattern})+")
# The same without tab, LF and CR, which free text may hold.
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

NOT_ONE_LINE = "Please keep this on one line, without line breaks or control characters."
NOT_TEXT = "Please remove the control characters (invisible characters) from this text."


@deconstructible
class LineValidator:
    """Refuses line breaks and control characters in a line of text."""

    message = NOT_ONE_LINE
    code = "not_one_line"

    def __call__(self, value) -> None:
        if isinstance(value, str) and _NOT_IN_A_LINE.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, LineValidator)


@deconstructible
class FreeTextValidator:
    """Refuses control characters other than tab and line breaks in free text."""

    message = NOT_TEXT
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and _NOT_IN_TEXT.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, FreeTextValidator)


validate_line = LineValidator()
validate_free_text = FreeTextValidator()


def limit_help(max_length: int) -> str:
    """The limit as a form says it, e.g. "Up to 4,000 characters."."""
    return f"Up to {max_length:,} characters."


def _with_limit(help_text: str, max_length: int) -> str:
    return f"{help_text} {limit_help(max_length)}".strip()


def line_field(*, max_length: int = NAME_MAX_LENGTH, help_text: str = "", **kwargs):
    """A CharField for a line a person types (a name, a title, a phone, a place)."""
    return models.CharField(
        max_length=max_length,
        validators=[validate_line],
        help_text=_with_limit(help_text, max_length),
        **kwargs,
    )


def free_text_field(*, help_text: str = "", **kwargs):
    """A TextField for free text a person types. Its max_length is not a column limit
    (a TextField has none) but makes its form field check the limit and render the
    `maxlength` attribute; the validator holds the limit for model validation too."""
    return models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH), validate_free_text],
        help_text=_with_limit(help_text, FREE_TEXT_MAX_LENGTH),
        **kwargs,
    )


def line_form_field(*, max_length: int = NAME_MAX_LENGTH, help_text: str = "", **kwargs):
    """The form twin of `line_field`, for a form that is not built from a model."""
    return forms.CharField(
        max_length=max_length,
        validators=[validate_line],
        help_text=_with_limit(help_text, max_length),
        **kwargs,
    )


def single_line(value: str) -> str:
    """`value` made one line: each run of control characters becomes one space."""
    return _RUN_NOT_IN_A_LINE.sub(" ", value)


def plain_text(value: str) -> str:
    """`value` without the control characters free text may not hold."""
    return _NOT_IN_TEXT.sub("", value)
