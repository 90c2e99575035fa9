"""Benchmark of the supporting-industry handbook: the PDF of the current fair's exhibitors in
each language, beside a baseline measured in the same run (an empty PDF of the same
stylesheet and fonts). The first language makes the QR codes (they are cleared first), the
second finds them in the shared cache, as a rebuild after a profile edit does. Target: 300
exhibitors in under a minute.

    python bench/handbook.py [--language vi] [--language en]

The database is the one the environment names (``FAIRSITE_DATABASE_URL``), seeded with
``python manage.py seed_demo --scale`` (300 exhibitors).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", action="append", choices=["vi", "en"])
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from exhibitors.enums import CompanyRole
    from exhibitors.models import Company
    from fairsite.models import Fair
    from fairsite.pdf import render_pdf
    from organisers.handbook import handbook_pdf

    fair = Fair.objects.current()
    began = time.perf_counter()
    render_pdf(template="pdf/badges.html", context={"badges": []})
    print(f"baseline: an empty PDF (fonts, stylesheet) {time.perf_counter() - began:.1f} s")
    urls = [
        settings.SITE_URL + reverse("exhibitors:company_detail", args=[slug])
        for slug in Company.objects.filter(fair=fair, role=CompanyRole.EXHIBITOR).values_list(
            "slug", flat=True
        )
    ]
    cache.delete_many(["handbook:qr:" + hashlib.sha256(u.encode()).hexdigest() for u in urls])
    for n, language in enumerate(args.language or ["vi", "en"]):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            pdf, count = handbook_pdf(fair=fair, language=language)
            total = time.perf_counter() - began
        print(
            f"handbook {language}: {count} exhibitors, {len(pdf) / 1e6:.1f} MB in {total:.1f} s, "
            f"{len(queries.captured_queries)} queries, QR codes "
            f"{'made' if n == 0 else 'from the cache'} (target < 60 s)"
        )


if __name__ == "__main__":
    main()
