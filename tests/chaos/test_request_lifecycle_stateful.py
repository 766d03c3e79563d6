"""A request's life as a state machine: Hypothesis plays any order of interview end,
time passing, sweeps, deliveries, answers, amendments, reschedules and cancellations, and
checks the loop's invariants after every step."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from candidates.models import Application
from feedback import rules, services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage
from feedback.selectors import policy_get
from feedback.services import interview_cancel, interview_reschedule
from tests.factories import schedule_interview

START = dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.UTC)
ASKING = OutboundMessage.ASKING_KINDS


class RequestLifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each example runs in its own transaction, rolled back at teardown.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        policy = policy_get()
        policy.quiet_hours_start = policy.quiet_hours_end = None
        policy.save()
        self.interview = schedule_interview(ends_at=START + dt.timedelta(hours=1))
        self.application_id = self.interview.application_id
        self.cancelled = False
        self.answers = 0
        self.ever_overdue = False

    def teardown(self):
        self.clock.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize(
        phase=st.sampled_from(["before the end", "asked", "reminded", "overdue"]),
        delivered=st.booleans(),
    )
    def start_somewhere_in_the_loop(self, phase, delivered):
        """Begin each example at a random point of the loop, so that the interesting
        interleavings (an answer while asks are still queued, a cancel after the deadline)
        are common rather than rare."""
        steps = ["before the end", "asked", "reminded", "overdue"].index(phase)
        for _ in range(steps):
            self.time_passes(60)
        if delivered:
            self.deliver_the_outbox()

    # -- the world ----------------------------------------------------------------------

    def candidate_request(self) -> FeedbackRequest:
        return FeedbackRequest.objects.get(interview=self.interview, party="candidate")

    @rule(minutes=st.sampled_from([1, 5, 30, 59, 60, 61, 119, 120, 121, 600, 1440, 2880]))
    def time_passes(self, minutes):
        """Time passes, and the sweep (which runs every few seconds) catches up."""
        self.traveller.shift(dt.timedelta(minutes=minutes))
        self.sweep()

    @rule(minutes=st.sampled_from([1, 30, 61, 121]))
    def time_passes_while_the_sweep_is_down(self, minutes):
        self.traveller.shift(dt.timedelta(minutes=minutes))

    @rule()
    def sweep(self):
        services.sweep_run()
        if self.candidate_request().status == FeedbackRequest.Status.OVERDUE:
            self.ever_overdue = True

    @rule()
    def deliver_the_outbox(self):
        for pk in OutboundMessage.objects.filter(status="queued").values_list("pk", flat=True):
            services.outbox_deliver(message_ids=[pk])

    @rule(level=st.integers(1, 10), still=st.sampled_from(["yes", "unsure", "no"]))
    def candidate_answers_or_amends(self, level, still):
        request = self.candidate_request()
        if request.status == FeedbackRequest.Status.CANCELLED:
            with pytest.raises(services.FeedbackClosed):
                services.feedback_submit(
                    request=request, answers={"interest_level": level, "still_interested": still}
                )
            return
        try:
            services.feedback_submit(
                request=request, answers={"interest_level": level, "still_interested": still}
            )
        except services.TooManyAnswers:
            # The link's limit (answers._refuse_a_burst) refused it, with nothing stored:
            # only when the link has taken its fill within the window.
            limits = django_settings.FEEDBACK
            recent = request.answers.filter(
                entered_by__isnull=True,
                submitted_at__gt=timezone.now() - limits["ANSWERS_PER_LINK_WINDOW"],
            )
            assert recent.count() >= limits["ANSWERS_PER_LINK"]
            return
        self.answers += 1

    @precondition(lambda self: not self.cancelled)
    @rule(hours_from_now=st.integers(1, 72))
    def reschedule(self, hours_from_now):
        ends_at = timezone.now() + dt.timedelta(hours=hours_from_now)
        interview_reschedule(
            interview=self.interview, starts_at=ends_at - dt.timedelta(hours=1), ends_at=ends_at
        )
        self.interview.refresh_from_db()

    @precondition(lambda self: not self.cancelled)
    @rule()
    def cancel(self):
        interview_cancel(interview=self.interview)
        self.cancelled = True

    # -- what must always hold ---------------------------------------------------------

    @invariant()
    def nothing_asks_a_party_after_an_answer_or_a_cancel(self):
        for request in FeedbackRequest.objects.filter(interview=self.interview):
            settled_at = request.received_at or request.cancelled_at
            if request.status in (
                FeedbackRequest.Status.RECEIVED,
                FeedbackRequest.Status.CANCELLED,
            ):
                assert not request.messages.filter(kind__in=ASKING, status="queued").exists()
                assert not request.messages.filter(
                    kind__in=ASKING, status="sent", sent_at__gt=settled_at
                ).exists()

    @invariant()
    def at_most_one_message_of_each_kind_per_cycle(self):
        per_cycle = Counter(
            OutboundMessage.objects.filter(request__interview=self.interview)
            .exclude(kind="feedback_received")
            .values_list("request_id", "kind", "dedupe_key")
        )
        assert set(per_cycle.values()) <= {1}

    @invariant()
    def one_current_answer_and_every_amendment_kept(self):
        request = self.candidate_request()
        assert request.answers.count() == self.answers
        assert request.answers.filter(is_current=True).count() == min(self.answers, 1)

    @invariant()
    def interest_follows_the_last_answer(self):
        application = Application.objects.get(pk=self.application_id)
        current = Feedback.objects.filter(
            request__interview=self.interview, request__party="candidate", is_current=True
        ).first()
        if current:
            expected = rules.interest_status_for(
                level=current.interest_level, still_interested=current.still_interested
            )
            assert application.interest_status == expected
            assert application.interest_level == current.interest_level
        elif self.ever_overdue:
            assert application.interest_status == Application.InterestStatus.POSSIBLY_WANED
        else:
            assert application.interest_status == Application.InterestStatus.UNKNOWN


@pytest.mark.django_db
def test_a_request_keeps_its_promises_in_any_order_of_events(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    RequestLifecycle.TestCase.settings = hypothesis_settings(
        max_examples=80, stateful_step_count=30, deadline=None, database=None
    )
    RequestLifecycle.TestCase().runTest()
