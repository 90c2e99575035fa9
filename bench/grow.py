"""Grow a fair to a given size with bulk inserts (benchmarks and size tests only).

    python bench/grow.py --visitors 2000 --visits 20000 --meetings 5500 --deals 3000 \
        --messages 100000

adds to the current fair (seed the demo first: ``python manage.py seed_demo``). Rows are
deterministic for a given ``--seed``. Meetings are online or at tables that are free in their
slot; deals follow held meetings (the exhibitor's side) and walk-in contacts at booths, with
values frozen at fixed rates.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Fixed rates (units per USD) for grown deals; VND per USD for the frozen VND value.
RATES = {"USD": Decimal(1), "VND": Decimal(25_400), "JPY": Decimal(150), "KRW": Decimal(1_380)}
EXPONENT = {"USD": 2, "VND": 0, "JPY": 0, "KRW": 0}


def grow(
    *,
    fair: Any,
    visitors: int = 0,
    visits: int = 0,
    meetings: int = 0,
    deals: int = 0,
    messages: int = 0,
    seed: int = 2026,
) -> dict[str, int]:
    """Add rows to ``fair``; returns what was added. Needs exhibitor and buyer companies."""
    from django.db import transaction
    from django.db.models import Max

    from exhibitors.enums import CompanyRole, VisitKind
    from exhibitors.models import Badge, Company, Visit
    from fairsite.enums import AccountKind
    from fairsite.models import User
    from meetings.enums import DealStage, MeetingMode, MeetingStatus
    from meetings.models import ChatMessage, Deal, Meeting

    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    tz = fair.tz
    days = fair.days()
    exhibitors = list(
        Company.objects.filter(fair=fair, role=CompanyRole.EXHIBITOR).values_list("id", flat=True)
    )
    buyers = list(
        Company.objects.filter(fair=fair, role=CompanyRole.BUYER).values_list("id", flat=True)
    )
    added = {"visitors": 0, "visits": 0, "meetings": 0, "deals": 0, "messages": 0}
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=f"grown-{tag}-{i}@visitors.example",
                    full_name=f"Khách {i}",
                    kind=AccountKind.VISITOR,
                    password="!",  # noqa: S106 - unusable password
                )
                for i in range(visitors)
            ],
            batch_size=2000,
        )
        badges = Badge.objects.bulk_create(
            [Badge(fair=fair, user=u, code=f"g{tag}{i:07d}") for i, u in enumerate(users)],
            batch_size=2000,
        )
        added["visitors"] = len(badges)
        slots = [(b, d, k) for b in badges for d in days for k in VisitKind.values]
        rng.shuffle(slots)
        open_minutes = (fair.day_end.hour - fair.day_start.hour) * 60
        rows = []
        for badge, day, kind in slots[:visits]:
            local = datetime.combine(day, fair.day_start, tzinfo=tz) + timedelta(
                minutes=rng.randrange(open_minutes)
            )
            rows.append(
                Visit(
                    fair=fair,
                    user_id=badge.user_id,
                    badge=badge if kind == VisitKind.ONSITE else None,
                    kind=kind,
                    day=day,
                    at=local.astimezone(UTC),
                )
            )
        Visit.objects.bulk_create(rows, batch_size=5000)
        added["visits"] = len(rows)

        if meetings and exhibitors and buyers:
            slot = timedelta(minutes=fair.slot_minutes)
            starts = []
            for day in days:
                at = datetime.combine(day, fair.day_start, tzinfo=tz)
                while at + slot <= datetime.combine(day, fair.day_end, tzinfo=tz):
                    starts.append(at.astimezone(UTC))
                    at += slot
            tables: dict[datetime, int] = {
                row["start"]: row["top"]
                for row in Meeting.objects.filter(fair=fair, table_number__isnull=False)
                .values("start")
                .annotate(top=Max("table_number"))
            }
            statuses = [MeetingStatus.HELD] * 6 + [
                MeetingStatus.SCHEDULED,
                MeetingStatus.SCHEDULED,
                MeetingStatus.NO_SHOW,
                MeetingStatus.CANCELLED,
            ]
            rows = []
            for _ in range(meetings):
                start = rng.choice(starts)
                used = tables.get(start, 0)
                onsite = used < fair.tables and rng.random() < 0.5
                if onsite:
                    tables[start] = used + 1
                rows.append(
                    Meeting(
                        fair=fair,
                        exhibitor_id=rng.choice(exhibitors),
                        buyer_id=rng.choice(buyers),
                        start=start,
                        end=start + slot,
                        mode=MeetingMode.ONSITE if onsite else MeetingMode.ONLINE,
                        table_number=used + 1 if onsite else None,
                        status=rng.choice(statuses),
                    )
                )
            grown = Meeting.objects.bulk_create(rows, batch_size=2000)
            added["meetings"] = len(grown)
            held = [m for m in grown if m.status == MeetingStatus.HELD]
            rows = []
            stages = DealStage.values
            for i in range(deals):
                currency = rng.choice(list(RATES))
                major = rng.randrange(500, 200_000)
                minor = major * 10 ** EXPONENT[currency]
                usd_cents = int(Decimal(major) / RATES[currency] * 100)
                meeting = held[i] if i < len(held) else None
                rows.append(
                    Deal(
                        fair=fair,
                        company_id=meeting.exhibitor_id if meeting else rng.choice(exhibitors),
                        meeting=meeting,
                        counterpart_id=meeting.buyer_id if meeting else None,
                        counterpart_name="" if meeting else f"Khách {i}",
                        stage=rng.choice(stages),
                        currency=currency,
                        amount_minor=minor,
                        units_per_usd=RATES[currency],
                        vnd_per_usd=RATES["VND"],
                        rated_at=fair_start(fair),
                        value_usd_cents=usd_cents,
                        value_vnd=int(Decimal(usd_cents) / 100 * RATES["VND"]),
                    )
                )
            Deal.objects.bulk_create(rows, batch_size=2000)
            added["deals"] = len(rows)
            if messages and grown:
                sender_of = dict(
                    Company.objects.filter(fair=fair)
                    .exclude(members=None)
                    .values_list("id", "members__user_id")
                )
                rows = []
                for i in range(messages):
                    meeting = grown[i % len(grown)]
                    sender = sender_of.get(meeting.exhibitor_id) or sender_of.get(meeting.buyer_id)
                    if sender is None:
                        continue
                    rows.append(
                        ChatMessage(
                            meeting=meeting,
                            sender_id=sender,
                            client_id=f"g{tag}{i}",
                            text="Xin chào",
                        )
                    )
                ChatMessage.objects.bulk_create(rows, batch_size=5000)
                added["messages"] = len(rows)
    return added


def fair_start(fair: Any) -> datetime:
    return datetime.combine(fair.start_date, fair.day_start, tzinfo=fair.tz).astimezone(UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in [
        ("visitors", 2000),
        ("visits", 20000),
        ("meetings", 5500),
        ("deals", 3000),
        ("messages", 100000),
        ("seed", 2026),
    ]:
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")
    import django

    django.setup()
    from fairsite.models import Fair

    fair = Fair.objects.current()
    if fair is None:
        raise SystemExit("No fair: run python manage.py seed_demo first.")
    print(grow(fair=fair, **vars(args)))


if __name__ == "__main__":
    main()
