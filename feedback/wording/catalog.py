"""Every message the agency may reword: one entry per (party, kind), named like its
shipped files, templates/feedback/email/<key>_subject.txt, _body.txt and _body.html."""

from dataclasses import dataclass

from ..models import OutboundMessage, Party

Kind = OutboundMessage.Kind

SUBJECT, TEXT, HTML = "subject", "body_text", "body_html"
# The file of each part, after the key.
PART_FILES = {SUBJECT: "_subject.txt", TEXT: "_body.txt", HTML: "_body.html"}
MAIL = (SUBJECT, TEXT, HTML)
INVITE = (SUBJECT, TEXT)  # an invite's text is its description; it has no HTML


@dataclass(frozen=True)
class Wording:
    party: str
    kind: str
    to: str
    parts: tuple[str, ...] = MAIL

    @property
    def key(self) -> str:
        return f"{self.party}_{self.kind}"

    @property
    def label(self) -> str:
        return f"{Party(self.party).label}: {Kind(self.kind).label} (to {self.to})"


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
)
BY_KEY = {wording.key: wording for wording in MESSAGES}
KEY_CHOICES = [(wording.key, wording.label) for wording in MESSAGES]
