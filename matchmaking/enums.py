from django.db import models
from django.utils.translation import gettext_lazy as _


class InterestLevel(models.TextChoices):
    MUST = "must", _("Must meet")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("Not interested")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Requests that still wait for someone.
OPEN_REQUEST_STATUSES = [RequestStatus.PENDING]


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class BookingStatus(models.TextChoices):
    """What became of one meeting of a run being published (:class:`SchedulerBooking`)."""

    PENDING = "pending", _("Waiting")
    BOOKED = "booked", _("Booked")
    REFUSED = "refused", _("Could not be booked")


# Weights of the hosted-buyer scheduler's pairs (documented in docs/matchmaking.md).
WEIGHT_MUST = 3
WEIGHT_REQUESTED = 2
WEIGHT_MAYBE = 1


class ConceptKind(models.TextChoices):
    PROCESS = "process", _("Process")
    PRODUCT = "product", _("Product")
    MATERIAL = "material", _("Material")
    INDUSTRY = "industry", _("Industry")
    CERT = "cert", _("Certification")
    OTHER = "other", _("Look-alike (not matched as a need)")


class NextStep(models.TextChoices):
    QUOTE = "quote", _("Quotation")
    SAMPLE = "sample", _("Samples")
    VISIT = "visit", _("Factory visit")
    NONE = "none", _("Nothing for now")


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    LEFT = "left", _("Left the list")
    BOOKED = "booked", _("Booked a freed time")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Waiting for your answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    GONE = "gone", _("No longer free")
