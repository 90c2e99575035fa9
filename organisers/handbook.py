"""The supporting-industry handbook: a printable PDF catalogue of the fair's exhibitors grouped
by sector (each under its first sector), with names, city, products and capabilities,
certifications, the city's key-industrial-product recognition highlighted, booth, website and a
QR code to the online profile; a table of contents and an index with page numbers; in
Vietnamese or English. Organisers request it; a background task builds it."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from exhibitors.enums import CompanyRole
from exhibitors.models import SECTOR_LABELS, Company
from fairsite.models import Fair
from fairsite.pdf import qr_data_uri, render_pdf, script_lang
from fairsite.tasks import task
from organisers.models import Handbook

HANDBOOK_LANGUAGES = ("vi", "en")


#: A profile's address does not change with its content: its QR code is kept this long.
QR_SECONDS = 30 * 24 * 3600


def qr_codes(urls: list[str]) -> dict[str, str]:
    """PNG data URIs of the QR codes of ``urls``, made once and kept in the shared cache: a
    rebuild after a profile edit makes none (three hundred took a quarter of a build)."""
    keys = {url: "handbook:qr:" + hashlib.sha256(url.encode()).hexdigest() for url in urls}
    found = cache.get_many(list(keys.values()))
    codes = {url: found[key] for url, key in keys.items() if key in found}
    made = {
        url: qr_data_uri(url, box_size=3, border=1, png=True) for url in urls if url not in codes
    }
    cache.set_many({keys[url]: uri for url, uri in made.items()}, QR_SECONDS)
    return codes | made


def handbook_context(*, fair: Fair) -> dict[str, Any]:
    """Sections of exhibitors by sector and the index, in the active language (3 queries)."""
    companies = (
        Company.objects.filter(fair=fair, role=CompanyRole.EXHIBITOR)
        .prefetch_related("sectors", "certifications")
        .order_by("name_en", "id")
    )
    vietnamese = (translation.get_language() or "").startswith("vi")
    sections: dict[str, list[dict[str, Any]]] = {}
    index = []
    for company in companies:
        sectors = sorted(company.sectors.all(), key=lambda s: (s.position, s.code))
        code = sectors[0].code if sectors else ""
        name = (company.name_vi if vietnamese else company.name_en) or company.display_name
        entry = {
            "anchor": f"c{company.pk}",
            "name": name,
            "other_name": company.name_en if vietnamese else company.name_vi,
            "native": company.name_native,
            "native_lang": script_lang(company.name_native),
            "city": company.city,
            "capabilities": company.capabilities,
            "certifications": [str(c) for c in company.certifications.all()],
            "sectors": [str(s) for s in sectors],
            "key_product": company.key_product_name,
            "key_year": company.key_product_year,
            "booth": company.booth,
            "website": company.website,
            "qr": settings.SITE_URL + reverse("exhibitors:company_detail", args=[company.slug]),
        }
        sections.setdefault(code, []).append(entry)
        index.append(entry)
    codes = qr_codes([entry["qr"] for entry in index])
    for entry in index:
        entry["qr"] = codes[entry["qr"]]
    order = {c: i for i, c in enumerate(SECTOR_LABELS)}
    return {
        "fair": fair,
        "fair_name": (fair.name_vi if vietnamese else fair.name) or fair.name,
        "sections": [
            {
                "anchor": f"s-{code or 'other'}",
                "label": str(SECTOR_LABELS.get(code, "—")),
                "companies": items,
            }
            for code, items in sorted(sections.items(), key=lambda kv: order.get(kv[0], 99))
        ],
        "index": sorted(index, key=lambda e: e["name"].casefold()),
        "count": len(index),
    }


def handbook_pdf(*, fair: Fair, language: str) -> tuple[bytes, int]:
    with translation.override(language):
        context = handbook_context(fair=fair)
        context["LANGUAGE_CODE"] = language
        return render_pdf(template="pdf/handbook.html", context=context), context["count"]


@transaction.atomic
def handbook_request(*, fair: Fair, language: str, user: Any) -> Handbook:
    """Mark the handbook as being generated and enqueue the build after commit."""
    handbook, _created = Handbook.objects.update_or_create(
        fair=fair,
        language=language,
        defaults={
            "status": Handbook.Status.PENDING,
            "requested_by": user,
            "requested_at": timezone.now(),
        },
    )
    handbook_build.defer_on_commit(fair_id=fair.pk, language=language)
    return handbook


@task(retry=2)
def handbook_build(*, fair_id: int, language: str) -> None:
    """Build the PDF and store it (the background part of :func:`handbook_request`)."""
    fair = Fair.objects.get(pk=fair_id)
    began = time.monotonic()
    try:
        pdf, count = handbook_pdf(fair=fair, language=language)
    except Exception:
        Handbook.objects.filter(fair=fair, language=language).update(
            status=Handbook.Status.FAILED, finished_at=timezone.now()
        )
        raise
    Handbook.objects.filter(fair=fair, language=language).update(
        status=Handbook.Status.READY,
        pdf=pdf,
        exhibitors=count,
        seconds=time.monotonic() - began,
        finished_at=timezone.now(),
    )
