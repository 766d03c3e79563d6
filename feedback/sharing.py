"""What the client sees of a candidate's answer: the parts the recruiter shared
(`Feedback.shared_with_client`), labelled and in a fixed order.

The client pages (clients.selectors) show exactly these, and the recruiter's application
page shows them as "The client sees"; both read them here.
"""

from dataclasses import dataclass

from candidates.models import Application

from .models import Feedback
from .rules import CLIENT_SHAREABLE_PARTS, interest_status_for

BAND_LABELS = {
    Application.InterestStatus.HIGH: "High",
    Application.InterestStatus.MODERATE: "Moderate",
    Application.InterestStatus.LOW: "Low",
    Application.InterestStatus.NOT_INTERESTED: "Not interested",
}
SHARED_LABELS = {
    "interest_band": "Interest",
    "interest_level": "Interest level",
    "still_interested": "Still interested",
    "went_well": "What went well",
    "concerns": "Concerns",
    "questions": "Questions and notes",
}


@dataclass(frozen=True)
class SharedPart:
    key: str
    label: str
    value: str


def feedback_shared_parts(*, feedback: Feedback | None) -> list[SharedPart]:
    """The parts of a candidate's answer the client may see, in a fixed order."""
    if feedback is None:
        return []
    shared = set(feedback.shared_with_client or [])
    parts = []
    for key in CLIENT_SHAREABLE_PARTS:
        if key not in shared:
            continue
        if key == "interest_band":
            band = interest_status_for(
                level=feedback.interest_level, still_interested=feedback.still_interested
            )
            value = BAND_LABELS.get(band, "")
        elif key == "interest_level":
            value = f"{feedback.interest_level} / 10" if feedback.interest_level else ""
        elif key == "still_interested":
            value = feedback.get_still_interested_display() if feedback.still_interested else ""
        else:
            value = getattr(feedback, key) or ""
        if value:
            parts.append(SharedPart(key=key, label=SHARED_LABELS[key], value=value))
    return parts
