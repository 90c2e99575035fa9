"""Printable badges: one A6 page per badge with the person's name in their own script and the
QR code the hall scans (PDF through :mod:`fairsite.pdf`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation

from exhibitors.models import Badge
from exhibitors.visits import badge_payload
from fairsite.enums import AccountKind
from fairsite.pdf import qr_data_uri, render_pdf, script_lang


def badge_cards(*, badges: Iterable[Badge]) -> list[dict[str, str]]:
    """What each badge page shows; ``badges`` come with ``user`` and ``fair`` selected."""
    kinds = dict(AccountKind.choices)
    cards = []
    for badge in badges:
        user = badge.user
        name = user.get_full_name()
        cards.append(
            {
                "fair_name": badge.fair.name_vi or badge.fair.name,
                "venue": badge.fair.venue,
                "name": name,
                "name_lang": script_lang(name, hint=user.language),
                "organisation": badge.organisation,
                "org_lang": script_lang(badge.organisation, hint=user.language),
                "role": str(kinds.get(user.kind, user.kind)).split(" (")[0],
                "qr": qr_data_uri(badge_payload(badge=badge)),
                "code": badge.code,
            }
        )
    return cards


def badges_pdf(*, badges: Iterable[Badge], language: str) -> bytes:
    with translation.override(language):
        return render_pdf(
            template="pdf/badges.html",
            context={"cards": badge_cards(badges=badges), "language": language},
        )
