"""The recruiter's admin for the feedback loop: mostly a window on what the loop did.

Statuses and times are the loop's to manage (feedback.services); here a recruiter reads
them, chooses what the client sees of an answer, logs feedback taken by phone, sends a new
link, retries a failed message and edits the reminder policy. Each action is a service
call, recorded on the application's timeline with the recruiter who did it.

Each model is registered once, here, by the module that shapes its page:

- requests: FeedbackRequest
- answers: Feedback
- outbox: OutboundMessage
- policy_and_timeline: ReminderPolicy, TimelineEvent
"""

from . import answers, outbox, policy_and_timeline, requests

__all__ = ["answers", "outbox", "policy_and_timeline", "requests"]
