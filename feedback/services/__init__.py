"""The feedback app's service surface: every write the loop makes goes through one of these.

The after-interview loop: plan, ask, remind, give up, deliver, and take answers. A state
change is made one of two ways. Either it holds the row's lock (`select_for_update`) and
checks the status it then reads: an answer, a logged call or a new link (the request's
row), a change to an interview (the interview's), a withdrawal or a debrief (the
application's). Or it is a compare-and-set (`UPDATE … WHERE` the row is still as read,
e.g. `status = old`): the sweep's steps on the rows its batch holds (a row that changed
anyway rolls the batch back), an outbox claim or retry, a link's first opening. Either
way its side effects (outbox rows, timeline events) are written in the same transaction
and only when the change was made, so several sweeps and workers can run at once and
nothing happens twice. Outbox rows are unique per (request, kind, channel, dedupe_key)
as a second line of defence.

Callers (views, admin, tasks, other apps) use `from feedback import services` and the
names below; each lives in the submodule of its concern, with its private helpers. A
test that replaces a function must patch it where it is looked up: in its submodule
when another submodule calls it.
"""

from .answers import (
    FeedbackClosed,
    TooManyAnswers,
    feedback_log_call,
    feedback_request_mark_opened,
    feedback_request_resend_link,
    feedback_share_with_client,
    feedback_submit,
    feedback_submit_by_link,
)
from .applications import application_save_recorded
from .charts import dashboard_charts_refresh
from .delivery import outbox_deliver
from .inbound import (
    email_inbound_receive,
    outbox_delivery_status_record,
    outbox_send_refusals,
    sms_inbound_receive,
)
from .interviews import (
    application_withdraw,
    interview_cancel,
    interview_mark_completed,
    interview_reschedule,
    interview_save,
    interview_schedule,
)
from .outbox import (
    outbox_dispatch,
    outbox_queue,
    outbox_reclaim_abandoned,
    outbox_redispatch_due,
    outbox_retry_now,
)
from .person import person_erase_records
from .planning import feedback_requests_cancel, feedback_requests_plan
from .sweep import feedback_requests_sweep, sweep_run
from .timeline import timeline_record, timeline_record_candidate_saved

__all__ = [
    "FeedbackClosed",
    "application_save_recorded",
    "application_withdraw",
    "dashboard_charts_refresh",
    "feedback_log_call",
    "feedback_request_mark_opened",
    "feedback_request_resend_link",
    "feedback_requests_cancel",
    "feedback_requests_plan",
    "feedback_requests_sweep",
    "feedback_share_with_client",
    "feedback_submit",
    "feedback_submit_by_link",
    "email_inbound_receive",
    "outbox_delivery_status_record",
    "outbox_send_refusals",
    "sms_inbound_receive",
    "interview_cancel",
    "interview_mark_completed",
    "interview_reschedule",
    "interview_save",
    "interview_schedule",
    "outbox_deliver",
    "outbox_dispatch",
    "outbox_queue",
    "outbox_reclaim_abandoned",
    "outbox_redispatch_due",
    "outbox_retry_now",
    "person_erase_records",
    "sweep_run",
    "timeline_record",
    "timeline_record_candidate_saved",
    "TooManyAnswers",
]
