"""The reply parser: what a text or a mail says, and nothing it does not."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.replies import (
    NUMBER_WORDS,
    Reply,
    email_reply_text,
    keyword_of,
    reply_parse,
)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("8", Reply(interest_level=8)),
        ("8 yes", Reply(interest_level=8, still_interested="yes")),
        ("7, not sure", Reply(interest_level=7, still_interested="unsure")),
        ("no", Reply(still_interested="no")),
        ("10!", Reply(interest_level=10)),
        ("call me", Reply(wants_call=True)),
        ("Please call me, 6", Reply(interest_level=6, wants_call=True)),
        ("9/10 still interested", Reply(interest_level=9, still_interested="yes")),
        ("7 out of 10", Reply(interest_level=7)),
        ("Eight. Yes!", Reply(interest_level=8, still_interested="yes")),
        ("not interested", Reply(still_interested="no")),
        ("I’m not sure", Reply(still_interested="unsure")),
    ],
)
def test_it_reads_what_candidates_write(text, reply):
    assert reply_parse(text) == reply


@pytest.mark.parametrize(
    "text",
    [
        "hello?",
        "11",
        "0",
        "8 or 9",  # two levels: which?
        "3.5",
        "call me at 5",  # a time, not a level
        "-3",
        "100",
        "",
    ],
)
def test_it_takes_no_level_the_text_does_not_say_plainly(text):
    assert reply_parse(text).interest_level is None


def test_yes_and_no_together_say_neither():
    assert reply_parse("yes and no") == Reply()


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "quit!"])
def test_the_opt_out_keywords(word):
    assert keyword_of(word) == "opt_out"


@pytest.mark.parametrize(
    ("word", "kind"), [("START", "opt_in"), ("unstop", "opt_in"), ("Help", "help")]
)
def test_the_other_keywords(word, kind):
    assert keyword_of(word) == kind


@pytest.mark.parametrize("text", ["0no", "yesterday", "8nope", "nob hill", "ninety"])
def test_a_word_read_is_a_whole_word(text):
    assert reply_parse(text) == Reply()


def test_a_keyword_inside_a_sentence_is_no_keyword():
    assert keyword_of("please stop asking, 3") == ""


def test_a_mails_quoted_text_and_signature_are_left_out():
    body = (
        "8, yes\n\nThanks,\nAna\n\n-- \nDr Ana Ruiz DVM\nCell 773 555 0199\n\n"
        "On Tue, 3 Mar 2026 at 10:00, Dana <dana@tvr.example> wrote:\n"
        "> On a scale of 1 to 10, reply with a number.\n> 10 is the highest.\n"
    )
    assert reply_parse(email_reply_text(body)) == Reply(interest_level=8, still_interested="yes")
    assert reply_parse(email_reply_text("9\nSent from my iPhone 12")).interest_level == 9


# --- any text in ----------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        *[str(n) for n in range(-2, 13)],
        *NUMBER_WORDS,
        "yes",
        "no",
        "not",
        "sure",
        "interested",
        "call",
        "me",
        "please",
        "at",
        "/10",
        "out of 10",
        "!",
        ",",
        ".",
        ":",
        "stop",
        "3.5",
        "5pm",
        "٣",
        "½",
        "\x00",
        "\n> 9",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=12).map(" ".join),
)


def says_number(text: str, level: int) -> bool:
    text = text.casefold()
    words = [w for w, n in NUMBER_WORDS.items() if n == level]
    return bool(re.search(rf"(?<![0-9]){level}(?![0-9])", text)) or any(
        re.search(rf"\b{w}\b", text) for w in words
    )


SAYS = {
    "yes": ("yes", "yeah", "yep", "yup", "interested"),
    "unsure": ("sure", "unsure", "maybe", "dunno", "know", "idea"),
    "no": ("no", "nope", "nah", "not interested"),
}


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_any_text_in_never_an_exception_never_an_answer_it_did_not_say(text):
    reply = reply_parse(text)
    keyword_of(text)
    email_reply_text(text)
    folded = text.casefold()
    if reply.interest_level is not None:
        assert 1 <= reply.interest_level <= 10
        assert says_number(text, reply.interest_level)
    if reply.still_interested:
        assert any(re.search(rf"\b{w}\b", folded) for w in SAYS[reply.still_interested])
    if reply.wants_call:
        assert re.search(r"\b(call|ring|phone)\b", folded)
    assert reply.understood == bool(reply.answers())
