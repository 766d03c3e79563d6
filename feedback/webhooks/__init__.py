"""The webhook channel: the agency's other systems told what the loop learns.

Like each channel (docs/architecture.md, "Where to add"), it keeps its parts together:
the endpoints a recruiter subscribes in the admin (`models`), the events and what each
payload says (`events`), the transport that signs and posts one outbox row (`transport`)
and the endpoint's page (`admin`). Queuing is a service beside the outbox
(feedback.services.webhooks), called where the timeline records the event.
"""
