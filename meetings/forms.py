"""Forms for rooms and the deal log: they clean input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fairsite.forms import CreateForm, FairForm
from meetings import money
from meetings.enums import Currency, DealStage, MeetingStatus
from meetings.models import Deal
from meetings.services import MARKABLE, VIDEO_URL_MAX_CHARS, validate_video_url


class VideoLinkForm(FairForm):
    url = forms.CharField(
        label=_("External meeting link (Zoom, Teams, Google Meet)"),
        required=False,
        max_length=VIDEO_URL_MAX_CHARS + 100,
        help_text=_("Leave empty to use the fair's own video room."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )

    def clean_url(self) -> str:
        value = self.cleaned_data.get("url", "").strip()
        return validate_video_url(value) if value else ""


class MarkForm(FairForm):
    status = forms.ChoiceField(
        label=_("Mark as"),
        choices=[(s.value, s.label) for s in MeetingStatus if s in MARKABLE],
    )


class DealForm(CreateForm):
    """The outcome of a meeting (or, with ``walk_in``, a contact at the booth).

    ``amount`` is text, parsed exactly by :func:`meetings.money.parse_amount`; ``version``
    carries the version the form was loaded at, for the conflict check.
    """

    badge_code = forms.CharField(
        label=_("Visitor's badge code"),
        required=False,
        max_length=32,
        help_text=_("Scan or type the code on the visitor's badge, or enter a name below."),
    )
    counterpart_name = forms.CharField(label=_("Who you met"), required=False, max_length=200)
    contacts = forms.CharField(
        label=_("Contacts exchanged"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=DealStage.choices)
    amount = forms.CharField(
        label=_("Estimated value"),
        required=False,
        max_length=money.MAX_INPUT_CHARS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), required=False, choices=[("", "—"), *Currency.choices]
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    model_columns = {"version": (Deal, "version")}

    def __init__(self, *args: Any, walk_in: bool = False, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.walk_in = walk_in
        # Amounts are typed the way the reader's language writes numbers (meetings.money).
        self.fields["amount"].help_text = _(
            "As you write numbers, e.g. %(whole)s or %(cents)s."
        ) % {
            "whole": money.format_amount(1_500_000_000, "VND", with_code=False),
            "cents": money.example("USD"),
        }
        if not walk_in or editing:
            del self.fields["badge_code"]
        if not walk_in:
            del self.fields["counterpart_name"]
        if not editing:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
            self.drop_submission_key()  # an edit is guarded by its version instead

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        amount = (data.get("amount") or "").strip()
        currency = data.get("currency") or ""
        data["amount_minor"] = None
        if amount:
            if not currency:
                self.add_error("currency", _("Choose the currency of the value."))
            else:
                try:
                    data["amount_minor"] = money.parse_amount(amount, currency)
                except ValidationError as exc:
                    self.add_error("amount", exc)
        if self.walk_in and "badge_code" in self.fields:
            if (
                not (data.get("badge_code") or "").strip()
                and not (data.get("counterpart_name") or "").strip()
            ):
                raise ValidationError(_("Scan the visitor's badge or enter a name."))
        return data

    @staticmethod
    def initial_for(deal: Any) -> dict[str, Any]:
        return {
            "counterpart_name": deal.counterpart_name,
            "contacts": deal.contacts,
            "stage": deal.stage,
            "amount": money.format_amount(deal.amount_minor, deal.currency, with_code=False),
            "currency": deal.currency,
            "notes": deal.notes,
            "version": deal.version,
        }


class ExchangeRateForm(CreateForm):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[c for c in Currency.choices if c[0] != Currency.USD]
    )
    units_per_usd = forms.CharField(
        label=_("Units per US dollar"),
        max_length=money.MAX_INPUT_CHARS,
        help_text=_("How many units one US dollar buys, e.g. 24,350 for VND or 149.52 for JPY."),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        help_text=_("In your time zone. Deals logged from this moment use this rate."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"valid_from": timezone.localtime().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)

    def clean_units_per_usd(self) -> Any:
        return money.parse_rate(self.cleaned_data["units_per_usd"])
