"""Permission cases for the organisers' URLs; format in tests/test_url_permissions.py."""

from tests.test_url_permissions import UrlCase

ORGANISERS_ONLY = {"visitor": 404, "owner": 404, "other": 404, "buyer": 404, "organiser": 200}

CASES = [
    UrlCase(name="organisers:dashboard", **ORGANISERS_ONLY),
    UrlCase(name="organisers:stats", **ORGANISERS_ONLY),
    UrlCase(name="organisers:report", **ORGANISERS_ONLY),
    UrlCase(name="organisers:report_pdf", **ORGANISERS_ONLY),
]

CASES += [
    UrlCase(
        name="organisers:export",
        kwargs=lambda ctx, table=table, fmt=fmt: {"table": table, "fmt": fmt},
        **ORGANISERS_ONLY,
    )
    for table in ("visitors", "visits", "meetings", "contacts", "deals")
    for fmt in ("csv", "xlsx")
]

OWN_COMPANY = {"visitor": 302, "owner": 200, "other": 404, "buyer": 404, "organiser": 302}

CASES += [
    UrlCase(
        name="organisers:company_figures",
        kwargs=lambda ctx: {"slug": ctx.company.slug},
        **OWN_COMPANY,
    ),
    UrlCase(
        name="organisers:company_leads",
        kwargs=lambda ctx: {"slug": ctx.company.slug, "fmt": "csv"},
        **OWN_COMPANY,
    ),
    UrlCase(
        name="organisers:company_leads",
        kwargs=lambda ctx: {"slug": ctx.company.slug, "fmt": "xlsx"},
        **OWN_COMPANY,
    ),
]


def _ready_handbook(ctx):
    from django.utils import timezone

    from organisers.models import Handbook

    Handbook.objects.create(
        fair=ctx.fair, language="en", status="ready", requested_at=timezone.now(), pdf=b"%PDF-1.7"
    )
    return {"language": "en"}


CASES += [
    UrlCase(name="organisers:handbook", **ORGANISERS_ONLY),
    UrlCase(name="organisers:handbook_pdf", kwargs=_ready_handbook, **ORGANISERS_ONLY),
]
