"""Demo data for matchmaking: recommendations with reasons, and the interests buyers and
exhibitors marked from them, so the hosted-buyer scheduler has must-meet and maybe pairs to
place. Called by ``seed_demo`` (see ``fairsite.demo``); deterministic for a given ``rng``."""

from __future__ import annotations

import random
from typing import Any

from exhibitors.enums import MembershipStatus
from exhibitors.models import Member
from matchmaking.enums import InterestLevel
from matchmaking.models import Interest, Recommendation
from matchmaking.services import recommendations_compute


def seed(*, fair: Any, rng: random.Random, scale: bool) -> dict[str, int]:
    """Compute recommendations, then let every company mark some of its top ones: about one
    in four of the top five as must-meet, one in three as maybe."""
    recommendations_compute(fair=fair)
    first_member = {}
    for company_id, user_id in (
        Member.objects.filter(fair=fair, status=MembershipStatus.APPROVED)
        .order_by("company_id", "created_at", "id")
        .values_list("company_id", "user_id")
    ):
        first_member.setdefault(company_id, user_id)

    marked: dict[tuple[int, int], str] = {}
    rows = Recommendation.objects.filter(fair=fair, rank__lte=5).order_by("company_id", "rank")
    for company_id, other_id in rows.values_list("company_id", "other_id"):
        draw = rng.random()
        if draw < 0.25:
            level = InterestLevel.MUST
        elif draw < 0.6:
            level = InterestLevel.MAYBE
        else:
            continue
        marked[(company_id, other_id)] = level
    Interest.objects.bulk_create(
        [
            Interest(
                fair=fair,
                from_company_id=company_id,
                to_company_id=other_id,
                level=level,
                set_by_id=first_member.get(company_id),
            )
            for (company_id, other_id), level in marked.items()
        ],
        batch_size=2000,
    )
    # The marks change the ranking (a must-meet rises), so compute once more.
    stored = recommendations_compute(fair=fair)
    levels = list(marked.values())
    return {
        "recommendations": stored,
        "must-meet marks": levels.count(InterestLevel.MUST),
        "maybe marks": levels.count(InterestLevel.MAYBE),
    }
