from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyRole(models.TextChoices):
    EXHIBITOR = "exhibitor", _("Exhibitor")
    BUYER = "buyer", _("Buyer")


class Attendance(models.TextChoices):
    ONSITE = "onsite", _("On site in Hanoi")
    REMOTE = "remote", _("Remote (online)")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class VisitKind(models.TextChoices):
    ONSITE = "onsite", _("Checked in at the hall")
    ONLINE = "online", _("Online visit")


# The fair's sector taxonomy. Codes are stable; labels are translated.
SECTORS: list[tuple[str, str]] = [
    ("automotive", _("Automotive parts")),
    ("motorbike", _("Motorbike parts")),
    ("mechanical", _("Mechanical engineering and moulds")),
    ("electronics", _("Electronics and components")),
    ("mobile", _("Mobile-phone components")),
    ("plastics", _("Plastics and rubber")),
    ("textile", _("Textile and footwear materials")),
    ("packaging", _("Packaging and printing")),
    ("automation", _("Industrial automation")),
    ("metal", _("Metal processing and casting")),
    ("chemicals", _("Industrial chemicals and coatings")),
    ("medical", _("Medical device components")),
]

CERTIFICATIONS: list[tuple[str, str]] = [
    ("iso9001", "ISO 9001"),
    ("iatf16949", "IATF 16949"),
    ("iso14001", "ISO 14001"),
    ("iso45001", "ISO 45001"),
    ("iso13485", "ISO 13485"),
    ("iso50001", "ISO 50001"),
    ("iso27001", "ISO/IEC 27001"),
    ("jis", "JIS"),
    ("rohs", "RoHS"),
    ("ul", "UL"),
]

LANGUAGES_SPOKEN: list[tuple[str, str]] = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("zh", _("Chinese")),
    ("th", _("Thai")),
]

_SPOKEN_NAMES = dict(LANGUAGES_SPOKEN)


def spoken_language_names(codes: Iterable[str]) -> list[str]:
    """The names of the languages a company speaks, in the active language.

    Every offered code (``LANGUAGES_SPOKEN``) has a name here, including those that are not
    site languages (Chinese, Thai); a code no longer offered shows as itself.
    """
    return [str(_SPOKEN_NAMES.get(code, code)) for code in codes or ()]
