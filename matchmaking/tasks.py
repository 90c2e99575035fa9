"""Background work of matchmaking, enqueued after commit (see ``fairsite/tasks.py``)."""

from __future__ import annotations

import logging

from exhibitors.models import Company
from fairsite.tasks import task
from matchmaking import services

logger = logging.getLogger(__name__)


@task(retry=3)
def recommendations_refresh(*, company_id: int) -> int:
    """Recompute recommendations after ``company_id`` was created or its profile changed, so a
    new or edited company sees suppliers (or buyers) without an organiser's action, and the
    other side sees it.

    Scores are relative to the whole fair (text weights, rankings of every company), so this
    calls the recommender's own entry point for the company's fair rather than patching one
    company's rows. Returns the number of rows stored (0 when the company is gone).
    """
    company = Company.objects.select_related("fair").filter(pk=company_id).first()
    if company is None:
        return 0
    count = services.recommendations_compute(fair=company.fair)
    logger.info("recommendations refreshed for company %s: %s rows", company_id, count)
    return count
