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
