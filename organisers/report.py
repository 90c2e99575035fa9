"""The end-of-fair report: the headline numbers and breakdowns of :func:`dashboard_data`,
formatted for the reader's language, as a printable page and as a PDF (vi, en)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import translation

from fairsite.pdf import render_pdf
from organisers.selectors import dashboard_data

REPORT_LANGUAGES = ("vi", "en")


def number_format(value: float | int, places: int, force_grouping: bool = True) -> str:
    """Grouped digits as the reader writes them: 1.234.567,89 in Vietnamese, 1,234,567.89 in
    English, Japanese and Korean (Django's Vietnamese format does not group)."""
    text = f"{value:,.{places}f}"
    if (translation.get_language() or "").startswith("vi"):
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def _usd(cents: int) -> str:
    return f"{number_format(cents / 100, 2, force_grouping=True)} USD"


def _vnd(dong: int) -> str:
    return f"{number_format(dong, 0, force_grouping=True)} ₫"


def _pct(value: int, top: int) -> int:
    """A bar width in steps of 5 % (classes ``bar-0`` … ``bar-100``)."""
    return 0 if top <= 0 else int(round(value * 20 / top)) * 5


def report_context(*, fair: Any, now: datetime) -> dict[str, Any]:
    """Everything the report template shows, in the active language."""
    data = dashboard_data(fair=fair, now=now)
    deals = data["deals"]
    visits = data["visits"]
    per_day = visits["per_day"]
    top_day = max((r["onsite"] + r["online"] for r in per_day), default=0)
    top_country = max((r["usd_cents"] for r in deals["by_country"]), default=0)
    top_sector = max((r["usd_cents"] for r in deals["by_sector"]), default=0)
    total_visits = sum(r["onsite"] + r["online"] for r in per_day)
    return {
        "fair": fair,
        "data": data,
        "report": {
            "visits": number_format(total_visits, 0, force_grouping=True),
            "onsite": sum(r["onsite"] for r in per_day),
            "online": sum(r["online"] for r in per_day),
            "exchanges": number_format(data["trade_exchanges"], 0, force_grouping=True),
            "usd": _usd(deals["usd_cents"]),
            "vnd": _vnd(deals["vnd"]),
            "signed": _usd(deals["signed"]["usd_cents"]),
            "expected": _usd(deals["expected"]["usd_cents"]),
            "visits_per_day": [
                {**r, "pct": _pct(r["onsite"] + r["online"], top_day)} for r in per_day
            ],
            "by_country": [
                {**r, "usd": _usd(r["usd_cents"]), "pct": _pct(r["usd_cents"], top_country)}
                for r in deals["by_country"]
            ],
            "by_sector": [
                {**r, "usd": _usd(r["usd_cents"]), "pct": _pct(r["usd_cents"], top_sector)}
                for r in deals["by_sector"]
            ],
            "by_stage": [{**r, "usd": _usd(r["usd_cents"])} for r in deals["by_stage"]],
            "generated": now.astimezone(fair.tz).strftime("%Y-%m-%d %H:%M"),
        },
    }


def report_pdf(*, fair: Any, now: datetime, language: str) -> bytes:
    with translation.override(language):
        context = report_context(fair=fair, now=now)
        context["LANGUAGE_CODE"] = language
        return render_pdf(template="pdf/report.html", context=context)
