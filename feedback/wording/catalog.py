"""Every message the agency may reword: one entry per (party, kind), named like its
shipped files, templates/feedback/email/<key>_subject.txt, _body.txt and _body.html;
and each text (SMS), a text part only, shipped as templates/feedback/sms/<name>.txt and
keyed sms_<name>."""

from dataclasses import dataclass

from ..models import OutboundMessage, Party

Kind = OutboundMessage.Kind

SUBJECT, TEXT, HTML = "subject", "body_text", "body_html"
# The file of each part, after the key.
PART_FILES = {SUBJECT: "_subject.txt", TEXT: "_body.txt", HTML: "_body.html"}
MAIL = (SUBJECT, TEXT, HTML)
INVITE = (SUBJECT, TEXT)  # an invite's text is its description; it has no HTML
SMS = (TEXT,)


@dataclass(frozen=True)
class Wording:
    party: str
    kind: str
    to: str
    parts: tuple[str, ...] = MAIL
    # A text's file under feedback/sms/ and what it is; blank for a mail or an invite.
    sms: str = ""
    title: str = ""

    @property
    def key(self) -> str:
        # "sms_" cannot begin a mail's key: those begin with a party.
        return f"sms_{self.sms}" if self.sms else f"{self.party}_{self.kind}"

    @property
    def label(self) -> str:
        if self.sms:
            return f"{Party(self.party).label}: text, {self.title} (to {self.to})"
        return f"{Party(self.party).label}: {Kind(self.kind).label} (to {self.to})"


def _text(name: str, kind: str, title: str) -> Wording:
    return Wording(Party.CANDIDATE, kind, "the candidate", SMS, sms=name, title=title)


MESSAGES = (
    Wording(Party.CANDIDATE, Kind.REQUEST, "the candidate"),
    Wording(Party.CANDIDATE, Kind.REMINDER, "the candidate"),
    Wording(Party.CANDIDATE, Kind.OVERDUE_ALERT, "the recruiter"),
    Wording(Party.CANDIDATE, Kind.FEEDBACK_RECEIVED, "the recruiter"),
    Wording(Party.CANDIDATE, Kind.DEBRIEF_ALERT, "the recruiter"),
    Wording(Party.CANDIDATE, Kind.REPLY_UNREAD, "the recruiter"),
    Wording(Party.CANDIDATE, Kind.INVITE, "the candidate", INVITE),
    Wording(Party.CANDIDATE, Kind.INVITE_CANCELLED, "the candidate", INVITE),
    Wording(Party.CLIENT, Kind.REQUEST, "the hiring contact"),
    Wording(Party.CLIENT, Kind.REMINDER, "the hiring contact"),
    Wording(Party.CLIENT, Kind.OVERDUE_ALERT, "the recruiter"),
    Wording(Party.CLIENT, Kind.FEEDBACK_RECEIVED, "the recruiter"),
    Wording(Party.CLIENT, Kind.INVITATION, "the client contact"),
    Wording(Party.CLIENT, Kind.PASSWORD_RESET, "the client contact"),
    Wording(Party.CLIENT, Kind.INVITE, "the hiring contact", INVITE),
    Wording(Party.CLIENT, Kind.INVITE_CANCELLED, "the hiring contact", INVITE),
    _text("candidate_request", Kind.REQUEST, "the ask"),
    _text("candidate_reminder", Kind.REMINDER, "the reminder"),
    _text("candidate_unread", Kind.AUTO_REPLY, "a reply we could not read"),
    _text("help", Kind.AUTO_REPLY, "the answer to HELP"),
    _text("opted_in", Kind.AUTO_REPLY, "the answer to START"),
    _text("opted_out", Kind.AUTO_REPLY, "the answer to STOP"),
)
# The texts that answer a keyword: no request behind them, only the agency's name and
# phone.
KEYWORD_TEXTS = ("help", "opted_in", "opted_out")
BY_KEY = {wording.key: wording for wording in MESSAGES}
KEY_CHOICES = [(wording.key, wording.label) for wording in MESSAGES]
