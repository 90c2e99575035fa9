"""Forms: they only parse and validate input; services do the work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fairsite.forms import CreateForm, FairForm
from fairsite.models import Fair
from matchmaking.enums import InterestLevel
from matchmaking.models import ProposedSlot
from matchmaking.selectors import SlotProposal

MAX_BREAKS = 4


class SlotChoiceForm(CreateForm):
    """Up to three of the offered times, and a message."""

    slots = forms.MultipleChoiceField(
        label=_("Proposed times (up to three)"), widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, proposals: Sequence[SlotProposal] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slots"].choices = [
            (p.slot_id, f"{p.label} — {_('at a table') if p.mode == 'onsite' else _('online')}")
            for p in proposals
        ]

    def clean_slots(self) -> list[str]:
        chosen = self.cleaned_data["slots"]
        if not 1 <= len(chosen) <= 3:
            raise forms.ValidationError(_("Choose between one and three times."))
        return chosen


class AcceptForm(FairForm):
    slot = forms.IntegerField(widget=forms.HiddenInput)

    model_columns = {"slot": (ProposedSlot, "id")}


class DeclineForm(FairForm):
    reason = forms.CharField(
        label=_("Reason (shown to the other side)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InterestForm(FairForm):
    level = forms.ChoiceField(choices=[("", _("No mark")), *InterestLevel.choices], required=False)


class AvailabilityForm(FairForm):
    slots = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, slot_ids: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slots"].choices = [(s, s) for s in slot_ids]


class GridSettingsForm(FairForm):
    model_columns = {
        "slot_minutes": (Fair, "slot_minutes"),
        "tables": (Fair, "tables"),
        "online_capacity": (Fair, "online_capacity"),
    }

    day_start = forms.TimeField(label=_("Hall meetings start (venue time)"))
    day_end = forms.TimeField(label=_("Hall meetings end (venue time)"))
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=15, max_value=60)
    tables = forms.IntegerField(label=_("On-site tables"), min_value=0, max_value=5000)
    online_capacity = forms.IntegerField(
        label=_("Online meetings per slot"),
        min_value=0,
        required=False,
        help_text=_("Empty: no limit."),
    )
    online_start = forms.TimeField(label=_("Online meetings from (venue time)"))
    online_end = forms.TimeField(label=_("Online meetings until (venue time)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MAX_BREAKS):
            self.fields[f"break_{i}_start"] = forms.TimeField(
                label=_("Break %(n)d from") % {"n": i + 1}, required=False
            )
            self.fields[f"break_{i}_end"] = forms.TimeField(
                label=_("Break %(n)d until") % {"n": i + 1}, required=False
            )

    def break_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"break_{i}_start"], self[f"break_{i}_end"]) for i in range(MAX_BREAKS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        breaks: list[tuple[time, time]] = []
        for i in range(MAX_BREAKS):
            start, end = data.get(f"break_{i}_start"), data.get(f"break_{i}_end")
            if start is None and end is None:
                continue
            if start is None or end is None or end <= start:
                self.add_error(f"break_{i}_end", _("Give both times; the end after the start."))
                continue
            breaks.append((start, end))
        data["breaks"] = breaks
        return data


class SchedulerRunForm(CreateForm):
    time_limit = forms.FloatField(
        label=_("Time limit (seconds)"), min_value=1, max_value=120, initial=10
    )
