"""The recruiter's admin for the feedback loop, and for the candidates' records whose pages
show it.

Statuses and times are the loop's to manage (feedback.services, and candidates.services
for an interview's lifecycle); here a recruiter reads them, schedules, reschedules,
completes or cancels an interview, withdraws an application, chooses what the client sees
of an answer, logs feedback taken by phone, sends a new link, retries a failed message and
edits the reminder policy. Each action is a service call, recorded on the application's
timeline with the recruiter who did it.

Each model is registered once, by the rightmost app that shapes its page; these are
registered here, each by the module of its page:

- applications: candidates.Application (the whole story, the call list)
- interviews: candidates.Interview (its requests, status actions, rescheduling)
- requests: FeedbackRequest
- answers: Feedback
- outbox: OutboundMessage
- policy_and_timeline: ReminderPolicy, TimelineEvent
- feedback.webhooks.admin: WebhookEndpoint (the webhook channel's own folder)
- feedback.inbound.admin: InboundMessage, Suppression (what came back; read-only)
- feedback.wording.admin: MessageWording (the agency's wording of every message)

candidates.admin registers the plain pages (recruiters, positions, candidates), and
clients.admin the clients and their contacts.
"""

from ..inbound import admin as inbound
from ..webhooks import admin as webhooks
from ..wording import admin as wording
from . import answers, applications, interviews, outbox, policy_and_timeline, requests

__all__ = [
    "inbound",
    "answers",
    "applications",
    "interviews",
    "outbox",
    "policy_and_timeline",
    "requests",
    "webhooks",
    "wording",
]
