"""``python manage.py compute_recommendations [--fair SLUG] [--top N]``"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fairsite.models import Fair
from matchmaking.services import recommendations_compute


class Command(BaseCommand):
    help = "Compute and store explained recommendations for every buyer and exhibitor."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fair", help="Fair slug (default: the current fair).")
        parser.add_argument("--top", type=int, default=20, help="Recommendations per company.")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("fair")
        fair = Fair.objects.filter(slug=slug).first() if slug else Fair.objects.current()
        if fair is None:
            raise CommandError("No such fair.")
        started = time.perf_counter()
        count = recommendations_compute(fair=fair, top_n=options["top"])
        self.stdout.write(
            f"{count} recommendations for {fair.slug} in {time.perf_counter() - started:.2f} s"
        )
