"""The bounds of typed text (core.text): one line for names and titles, free text without
control characters, and what a mail does with a row written around the forms."""

import pytest
from django.core.exceptions import ValidationError

from core.text import (
    FREE_TEXT_MAX_LENGTH,
    limit_help,
    plain_text,
    single_line,
    validate_free_text,
    validate_line,
)


@pytest.mark.parametrize(
    "value",
    ["Ann\r\nBcc: x@example.com", "Ann\nSmith", "Ann\rSmith", "Ann\x00", "Ann\x1b[31m", "A\x85B"],
)
def test_a_line_refuses_line_breaks_and_control_characters(value):
    with pytest.raises(ValidationError) as refused:
        validate_line(value)
    assert "one line" in refused.value.messages[0]


def test_a_line_takes_letters_of_any_script_and_punctuation():
    validate_line("Zoë O'Brien-Łukasz, DVM (émergence) 渡辺")


def test_free_text_takes_lines_and_tabs_but_no_other_control_character():
    validate_free_text("Met the team.\r\nGood vibe.\tYes.")
    with pytest.raises(ValidationError):
        validate_free_text("Met the team.\x00")


def test_single_line_makes_each_run_of_control_characters_one_space():
    assert single_line("Ann\r\nBcc: x@example.com") == "Ann Bcc: x@example.com"


def test_plain_text_keeps_the_lines_and_drops_the_rest():
    assert plain_text("a\r\nb\x00c\x1b") == "a\r\nbc"


def test_the_limit_reads_as_a_person_writes_it():
    assert limit_help(FREE_TEXT_MAX_LENGTH) == "Up to 4,000 characters."
