from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingMode(models.TextChoices):
    ONSITE = "onsite", _("On site (table)")
    ONLINE = "online", _("Online")
    MIXED = "mixed", _("Mixed (table and video link)")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that occupy a person, a table or an online room.
ACTIVE_STATUSES = [MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS, MeetingStatus.HELD]


class DealStage(models.TextChoices):
    NO_FOLLOW_UP = "none", _("No follow-up")
    QUOTATION = "quotation", _("Quotation requested")
    SAMPLES = "samples", _("Samples sent")
    NEGOTIATING = "negotiating", _("Negotiating")
    MOU = "mou", _("MoU signed")
    CONTRACT = "contract", _("Contract signed")


class Currency(models.TextChoices):
    VND = "VND", _("Vietnamese đồng (VND)")
    USD = "USD", _("US dollar (USD)")
    JPY = "JPY", _("Japanese yen (JPY)")
    KRW = "KRW", _("Korean won (KRW)")
    THB = "THB", _("Thai baht (THB)")
    EUR = "EUR", _("Euro (EUR)")


# Digits after the decimal point (ISO 4217): amounts are stored as integers of minor units.
CURRENCY_EXPONENT = {"VND": 0, "USD": 2, "JPY": 0, "KRW": 0, "THB": 2, "EUR": 2}


class JoinKind(models.TextChoices):
    ONLINE = "online", _("Joined the video link")
    TABLE = "table", _("Checked in at the table")
    ORGANISER = "organiser", _("Marked by an organiser")
