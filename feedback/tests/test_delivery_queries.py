"""What delivering the outbox costs the database: reads once per task and per claimed
group, and one write per message (its record of "sent"), so that a burst does not pay a
read per message (docs/benchmarks.md, "Delivery")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import services
from feedback.models import OutboundMessage
from feedback.services.delivery import CLAIM_GROUP_SIZE
from feedback.wording.models import MessageWording

from .desk import interview_asked

pytestmark = pytest.mark.django_db


def queued_asks(interview_end, count: int) -> list[int]:
    for _ in range(count // 2):  # two asks per interview
        interview_asked(ends_at=interview_end)
    return list(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def statements_to_deliver(message_ids: list[int]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        outcomes = services.outbox_deliver(message_ids=message_ids)
    assert outcomes == ["sent"] * len(message_ids)
    return [query["sql"] for query in queries.captured_queries]


def test_each_further_message_costs_one_write_and_each_further_group_two_reads(
    interview_end, smtp_mail
):
    ids = queued_asks(interview_end, 4 * CLAIM_GROUP_SIZE)
    MessageWording.objects.create(
        key="candidate_request", subject="Your interview, {{ candidate.first_name }}"
    )

    one_group = statements_to_deliver(ids[:CLAIM_GROUP_SIZE])
    three_groups = statements_to_deliver(ids[CLAIM_GROUP_SIZE:])

    # Per group: the claim and the suppressions; per message: the record of "sent".
    assert len(three_groups) - len(one_group) == 2 * 2 + 2 * CLAIM_GROUP_SIZE
    wording_reads = [sql for sql in three_groups if "feedback_messagewording" in sql]
    assert len(wording_reads) == 1  # once for the task, not once a message
    candidate_mails = [m for m in smtp_mail.messages if m["Subject"].startswith("Your interview, ")]
    assert len(candidate_mails) == 2 * CLAIM_GROUP_SIZE  # the agency's wording was used
