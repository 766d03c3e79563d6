"""The answer forms: the candidate's (portal, phone log) and the client's. They validate
the input only; what an answer means is feedback.services.feedback_submit's."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.functional import cached_property

from core.text import FREE_TEXT_MAX_LENGTH, limit_help

from .models import Feedback

INTEREST_CHOICES = [(n, str(n)) for n in range(1, 11)]
RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class _AnswerForm(forms.ModelForm):
    # Fields whose choices here are the model's check constraint already (1 to 10, 1 to
    # 5): the model's validation skips them, so no answer asks the database to check it.
    held_by_choices: tuple[str, ...] = ()
    default_submit_label = ""

    def __init__(self, *args, submit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.submit_label = submit_label or self.default_submit_label

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | set(self.held_by_choices)

    def _post_clean(self):
        # The model's own checks of each field, without its constraints and uniqueness:
        # the form's choices hold the check constraints, and the one-current-answer
        # constraint and the unique amendment link name rows the service sets. Django
        # would still build a query for each constraint before finding it excluded.
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as e:
            self._update_errors(e)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as e:
            self._update_errors(e)

    @cached_property
    def helper(self) -> FormHelper:
        """How the form is drawn: built only when it is shown (a valid answer is not)."""
        helper = FormHelper()
        helper.layout = self.layout()
        helper.add_input(Submit("submit", self.submit_label, css_class="btn-lg w-100"))
        return helper

    def layout(self) -> Layout:
        raise NotImplementedError

    def relabel_submit(self, label: str) -> None:
        """Say on the button what it does, once the form is built (an answer posted
        with an error is shown again; "update" only if one is stored already)."""
        self.submit_label = label
        self.__dict__.pop("helper", None)


class CandidateFeedbackForm(_AnswerForm):
    held_by_choices = ("interest_level",)
    interest_level = forms.TypedChoiceField(
        label="On a scale of 1 to 10, with 10 the highest, what is your interest in the "
        "position now?",
        choices=INTEREST_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a number from 1 to 10."},
    )
    still_interested = forms.ChoiceField(
        label="Are you still interested in the position?",
        choices=Feedback.StillInterested.choices,
        widget=forms.RadioSelect,
        help_text="Every answer is fine: it helps us help you.",
        error_messages={"required": "Please tell us yes, not sure or no."},
    )

    class Meta:
        model = Feedback
        fields = list(Feedback.CANDIDATE_FIELDS)
        labels = {
            "went_well": "What went well?",
            "concerns": "Any concerns?",
            "questions": "Questions, or anything we should tell the employer?",
            "wants_call": "Please call me",
            "preferred_call_time": "Best time to call",
        }
        # The label asks the question; the help says only the limit.
        help_texts = {"questions": limit_help(FREE_TEXT_MAX_LENGTH)}
        widgets = {
            "went_well": forms.Textarea(attrs={"rows": 2}),
            "concerns": forms.Textarea(attrs={"rows": 2}),
            "questions": forms.Textarea(attrs={"rows": 2}),
            "preferred_call_time": forms.TextInput(attrs={"placeholder": "e.g. today after 5pm"}),
        }

    default_submit_label = "Send my feedback"

    def layout(self) -> Layout:
        return Layout(
            InlineRadios("interest_level"),
            InlineRadios("still_interested"),
            Field("went_well"),
            Field("concerns"),
            Field("questions"),
            Field("wants_call"),
            Field("preferred_call_time"),
        )


class ClientFeedbackForm(_AnswerForm):
    held_by_choices = ("rating",)
    decision = forms.ChoiceField(
        label="Your decision",
        choices=Feedback.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose advance, hold or decline."},
    )
    rating = forms.TypedChoiceField(
        label="Overall rating (1 to 5)",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Please rate the candidate from 1 to 5."},
    )

    class Meta:
        model = Feedback
        fields = list(Feedback.CLIENT_FIELDS)
        labels = {
            "strengths": "Strengths",
            "concerns": "Concerns",
            "next_step": "Proposed next step",
            "next_step_date": "Proposed date",
        }
        widgets = {
            "strengths": forms.Textarea(attrs={"rows": 3}),
            "concerns": forms.Textarea(attrs={"rows": 3}),
            "next_step_date": forms.DateInput(attrs={"type": "date"}),
        }

    default_submit_label = "Send feedback"

    def layout(self) -> Layout:
        return Layout(
            InlineRadios("decision"),
            InlineRadios("rating"),
            Field("strengths"),
            Field("concerns"),
            Field("next_step"),
            Field("next_step_date"),
        )


FORM_FOR_PARTY = {"candidate": CandidateFeedbackForm, "client": ClientFeedbackForm}


def initial_from(feedback: Feedback | None, form_class) -> dict:
    """Pre-fill an amendment with the current answer."""
    if feedback is None:
        return {}
    return {name: getattr(feedback, name) for name in form_class.Meta.fields}
