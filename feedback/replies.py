"""Reading a candidate's reply (a text, or a mail's new lines) as an answer: the interest
level 1-10, still interested or not, "please call". Pure: text in, Reply out, no query.

It reads only what the text says plainly. Two different levels, or yes and no together,
say nothing certain, and nothing is taken from them: the reply is kept as a note for the
recruiter instead. A number that reads as a time ("call me at 5") is not a level.
"""

import re
from dataclasses import dataclass

from email_reply_parser import EmailReplyParser

# The carriers' keywords: a text that is only one of these (any case, any punctuation).
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "unstop", "yes start"})
HELP_WORDS = frozenset({"help", "info"})

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# Phrases first (longest wins), then single words; a phrase is taken out of the text
# once read, so "not sure" is never also "sure", nor "not interested" "interested".
STILL_INTERESTED_PHRASES = (
    ("not interested", "no"),
    ("no longer interested", "no"),
    ("not sure", "unsure"),
    ("don't know", "unsure"),
    ("dont know", "unsure"),
    ("no idea", "unsure"),
    ("still interested", "yes"),
)
STILL_INTERESTED_WORDS = {
    "yes": "yes",
    "yeah": "yes",
    "yep": "yes",
    "yup": "yes",
    "interested": "yes",
    "unsure": "unsure",
    "maybe": "unsure",
    "dunno": "unsure",
    "no": "no",
    "nope": "no",
    "nah": "no",
}
CALL_PATTERN = re.compile(r"\b(call|ring|phone)\s+me\b|\bplease\s+call\b|^\s*call\b")
# "out of 10", "/10": the scale, not a second level.
_SCALE = re.compile(r"\s*(/|out\s+of)\s*10\b")
# A number on its own: not part of a longer number, a decimal, a time or a date.
_NUMBER = re.compile(r"(?<![\w.,:/-])([0-9]+)(?![\w]|[.,:/][0-9])")
# A number after these is a time or a date, not a level.
_TIME_WORDS = re.compile(r"\b(at|after|before|around|by|from|until|till|on)\s*$")


@dataclass(frozen=True)
class Reply:
    interest_level: int | None = None
    still_interested: str = ""  # Feedback.StillInterested's values, or ""
    wants_call: bool = False

    @property
    def understood(self) -> bool:
        return self.interest_level is not None or bool(self.still_interested) or self.wants_call

    def answers(self) -> dict:
        """As feedback_submit takes them: only what the reply said."""
        said = {}
        if self.interest_level is not None:
            said["interest_level"] = self.interest_level
        if self.still_interested:
            said["still_interested"] = self.still_interested
        if self.wants_call:
            said["wants_call"] = True
        return said


def keyword_of(text: str) -> str:
    """ "opt_out", "opt_in", "help" for a text that is only that keyword, else ""."""
    word = " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())
    if word in OPT_OUT_WORDS:
        return "opt_out"
    if word in OPT_IN_WORDS:
        return "opt_in"
    if word in HELP_WORDS:
        return "help"
    return ""


def reply_parse(text: str) -> Reply:
    """What a reply says, of the three things a text can answer."""
    text = text.casefold().replace("’", "'")
    wants_call = bool(CALL_PATTERN.search(text))
    return Reply(
        interest_level=_level(text),
        still_interested=_still_interested(text),
        wants_call=wants_call,
    )


def email_reply_text(body: str) -> str:
    """The lines a mail's sender wrote: quoted text, signatures and "Sent from my phone"
    go."""
    fresh = EmailReplyParser.parse_reply(body or "")
    lines = []
    for line in fresh.splitlines():
        if line.strip().startswith(">") or re.match(r"\s*sent from my\b", line, re.I):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def _words(text: str) -> list[str]:
    """The text's words, each whole: "no" in "0no" or "nob" is not the word "no"."""
    return re.findall(r"\w+", text)


def _level(text: str) -> int | None:
    found = set()
    text = _SCALE.sub(" ", text)
    for match in _NUMBER.finditer(text):
        if _TIME_WORDS.search(text[: match.start()]):
            continue
        digits = match.group(1)
        # "07" or "0010" is no plain level: counted as one the reply cannot mean.
        found.add(int(digits) if len(digits) <= 2 and not digits.startswith("0") else 0)
    for word in _words(text):
        if word in NUMBER_WORDS:
            found.add(NUMBER_WORDS[word])
    if len(found) != 1:
        return None
    (level,) = found
    return level if 1 <= level <= 10 else None


def _still_interested(text: str) -> str:
    found = set()
    for phrase, meaning in STILL_INTERESTED_PHRASES:
        pattern = re.compile(rf"\b{re.escape(phrase)}\b")
        if pattern.search(text):
            found.add(meaning)
            text = pattern.sub(" ", text)
    for word in _words(text):
        if word in STILL_INTERESTED_WORDS:
            found.add(STILL_INTERESTED_WORDS[word])
    return found.pop() if len(found) == 1 else ""
