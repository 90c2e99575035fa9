"""The organisers' exports: visitors, visits, meetings, contacts and deals of one fair, as CSV
or XLSX, for the whole fair or one day (in the venue's time zone).

Every table is one query streamed row by row. Text people typed stays text: CSV through
:func:`fairsite.exports.csv_response`, XLSX with :func:`fairsite.exports.safe_cell` applied to
every string and the cell written as a string (never a formula).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.utils.translation import gettext as _

from exhibitors.models import Badge, Visit
from fairsite.exports import csv_response, safe_cell
from meetings.models import Deal, Meeting

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Table = tuple[list[str], Iterable[Sequence[Any]]]


def _local(value: datetime | None, fair: Any) -> str:
    return value.astimezone(fair.tz).strftime("%Y-%m-%d %H:%M") if value else ""


def visitors(*, fair: Any, day: date | None) -> Table:
    badges = Badge.objects.filter(fair=fair).order_by("id")
    if day is not None:
        badges = badges.filter(visits__day=day).distinct()
    header = [_("Name"), _("E-mail"), _("Organisation"), _("Badge code"), _("Revoked")]
    rows = (
        (name, email, org, code, "yes" if revoked else "")
        for name, email, org, code, revoked in badges.values_list(
            "user__full_name", "user__email", "organisation", "code", "revoked_at"
        ).iterator()
    )
    return header, rows


def visits(*, fair: Any, day: date | None) -> Table:
    qs = Visit.objects.filter(fair=fair).order_by("at", "id")
    if day is not None:
        qs = qs.filter(day=day)
    header = [_("Day"), _("Time"), _("Kind"), _("Name"), _("E-mail"), _("Badge code")]
    rows = (
        (d.isoformat(), _local(at, fair), kind, name, email, code or "")
        for d, at, kind, name, email, code in qs.values_list(
            "day", "at", "kind", "user__full_name", "user__email", "badge__code"
        ).iterator()
    )
    return header, rows


def meetings(*, fair: Any, day: date | None) -> Table:
    """Status as the dashboard counts it (:func:`organisers.selectors.effective_status`: a
    "it didn't happen" answer makes a no-show, an in-progress meeting past its end is held)."""
    from django.utils import timezone

    from organisers.selectors import effective_status, with_feedback

    qs = (
        with_feedback(Meeting.objects.filter(fair=fair))
        .annotate(outcome=effective_status(timezone.now()))
        .order_by("start", "id")
    )
    if day is not None:
        qs = qs.annotate(d=TruncDate("start", tzinfo=fair.tz)).filter(d=day)
    header = [
        _("Start"),
        _("End"),
        _("Exhibitor"),
        _("Buyer"),
        _("Buyer country"),
        _("Place"),
        _("Table"),
        _("Status"),
    ]
    rows = (
        (_local(s, fair), _local(e, fair), ex, buyer, country, mode, table or "", status)
        for s, e, ex, buyer, country, mode, table, status in qs.values_list(
            "start",
            "end",
            "exhibitor__name_en",
            "buyer__name_en",
            "buyer__country",
            "mode",
            "table_number",
            "outcome",
        ).iterator()
    )
    return header, rows


def _deals(*, fair: Any, day: date | None, walk_ins: bool) -> Table:
    qs = Deal.objects.filter(fair=fair, meeting__isnull=walk_ins).order_by("created_at", "id")
    if day is not None:
        qs = qs.annotate(d=TruncDate("created_at", tzinfo=fair.tz)).filter(d=day)
    header = [
        _("Logged"),
        _("Company"),
        _("Counterpart"),
        _("Contacts exchanged"),
        _("Stage"),
        _("Currency"),
        _("Value (minor units)"),
        _("Value in US cents"),
        _("Value in đồng"),
        _("Notes"),
    ]
    rows = (
        (
            _local(at, fair),
            company,
            counterpart or name,
            contacts,
            stage,
            cur,
            amount,
            usd,
            vnd,
            notes,
        )
        for at, company, counterpart, name, contacts, stage, cur, amount, usd, vnd, notes in (
            qs.values_list(
                "created_at",
                "company__name_en",
                "counterpart__name_en",
                "counterpart_name",
                "contacts",
                "stage",
                "currency",
                "amount_minor",
                "value_usd_cents",
                "value_vnd",
                "notes",
            ).iterator()
        )
    )
    return header, rows


def contacts(*, fair: Any, day: date | None) -> Table:
    """Contacts logged at booths (walk-ins, no meeting)."""
    return _deals(fair=fair, day=day, walk_ins=True)


def deals(*, fair: Any, day: date | None) -> Table:
    """What came of meetings."""
    return _deals(fair=fair, day=day, walk_ins=False)


TABLES: dict[str, Callable[..., Table]] = {
    "visitors": visitors,
    "visits": visits,
    "meetings": meetings,
    "contacts": contacts,
    "deals": deals,
}


def _xlsx_cells(sheet: Any, values: Sequence[Any]) -> Iterator[Any]:
    from openpyxl.cell import WriteOnlyCell

    for value in values:
        value = safe_cell(value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text
        yield cell


def xlsx_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(filename.rsplit(".", 1)[0][:31])
    sheet.append(list(_xlsx_cells(sheet, header)))
    for row in rows:
        sheet.append(list(_xlsx_cells(sheet, row)))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(*, fair: Any, table: str, fmt: str, day: date | None) -> HttpResponse:
    header, rows = TABLES[table](fair=fair, day=day)
    name = f"{fair.slug}-{table}{'-' + day.isoformat() if day else ''}.{fmt}"
    if fmt == "csv":
        return csv_response(filename=name, header=header, rows=rows)
    return xlsx_response(filename=name, header=header, rows=rows)
