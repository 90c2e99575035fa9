"""``python manage.py seed_demo [--reset] [--scale]``: the demo fair (see ``fairsite.demo``)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from fairsite.demo import (
    DEFAULT_SIZE,
    DEMO_PASSWORD,
    DEMO_SLUG,
    SCALED_SIZE,
    demo_fair_create,
    demo_fair_delete,
    demo_fair_exists,
)


class Command(BaseCommand):
    help = "Create a deterministic demo Hanoi Supporting Industry Fair with sign-in accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo fair and its people first, then create them again.",
        )
        parser.add_argument(
            "--scale",
            action="store_true",
            help=(
                f"Fair size for benchmarks: {SCALED_SIZE.exhibitors} exhibitors, "
                f"{SCALED_SIZE.buyers} buyers, {SCALED_SIZE.visitors} visitors."
            ),
        )

    def handle(self, *args: object, reset: bool, scale: bool, **options: object) -> None:
        started = time.perf_counter()
        if not reset and demo_fair_exists():
            self.stdout.write(
                self.style.WARNING(
                    f"The demo fair “{DEMO_SLUG}” already exists; nothing changed. "
                    "Use --reset to delete and recreate it."
                )
            )
            return
        with transaction.atomic():  # a failed rebuild keeps the old demo
            if reset:
                demo_fair_delete()
                deleted = time.perf_counter() - started
                self.stdout.write(f"Deleted the demo fair in {deleted:.2f} s.")
            result = demo_fair_create(size=SCALED_SIZE if scale else DEFAULT_SIZE, scale=scale)
        if connection.vendor == "postgresql":
            # Statistics for the planner at once, as autovacuum would gather them a little later
            # after so many new rows (without them it picks poor plans, e.g. a scan of the whole
            # fair's recommendations instead of one company's).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        fair = result.fair
        out = self.stdout.write
        out(self.style.SUCCESS(f"Created {fair.name} ({fair.slug})"))
        out(f"  {fair.start_date:%d.%m.%Y}–{fair.end_date:%d.%m.%Y}, {fair.venue}")
        for note in result.notes:
            out(f"  {note}")
        out("")
        out("Counts:")
        for label, count in result.counts.items():
            out(f"  {label:<12} {count:>6}")
        out("")
        out(f"Sign in at {settings.SITE_URL}/ with password: {DEMO_PASSWORD}")
        width = max(len(sign_in.email) for sign_in in result.sign_ins)
        for sign_in in result.sign_ins:
            out(f"  {sign_in.role:<18} {sign_in.email:<{width}}  {sign_in.name}")
        out("")
        phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())
        out(f"Timing: {phases}; command {time.perf_counter() - started:.2f} s.")
