"""Benchmark of the supporting-industry handbook: the PDF of the current fair's exhibitors in
each language, timed in its parts (the context and its QR codes, the layout), beside a baseline
measured in the same run (a one-page PDF of the same stylesheet). Target: 300 exhibitors in
under a minute.

    python bench/handbook.py [--language vi] [--language en]

The database is the one the environment names (``FAIRSITE_DATABASE_URL``), seeded with
``python manage.py seed_demo --scale`` (300 exhibitors).
"""

from __future__ import annotations

import argparse
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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from fairsite.models import Fair
    from fairsite.pdf import render_pdf
    from organisers.handbook import handbook_context, handbook_pdf

    fair = Fair.objects.current()
    began = time.perf_counter()
    render_pdf(template="pdf/handbook.html", context={"sections": [], "index": [], "count": 0})
    print(f"baseline: an empty handbook (fonts, stylesheet) {time.perf_counter() - began:.1f} s")
    for language in args.language or ["vi", "en"]:
        with translation.override(language), CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            context = handbook_context(fair=fair)
            prepared = time.perf_counter() - began
        began = time.perf_counter()
        pdf, count = handbook_pdf(fair=fair, language=language)
        total = time.perf_counter() - began
        print(
            f"handbook {language}: {count} exhibitors, {len(pdf) / 1e6:.1f} MB in {total:.1f} s "
            f"(context and QR codes {prepared:.1f} s, {len(queries.captured_queries)} queries; "
            f"target < 60 s)"
        )
        del context


if __name__ == "__main__":
    main()
