"""Writes of the fair-wide layer: the idempotency keys of create forms."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from fairsite.models import SubmissionKey

#: How long a used key is remembered; a page older than that is sent as a new submission.
SUBMISSION_KEY_LIFETIME = timedelta(days=1)


def submission_key_claim(*, key: str, form: str) -> bool:
    """Record ``key`` as used; ``False`` when it was used before (the submission is a repeat).

    Locking rule: the unique constraint on ``SubmissionKey.key`` decides. Concurrent claims of
    one key wait on the first one's insert; exactly one of them succeeds. The claim commits on
    its own (a savepoint when called inside a transaction)."""
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=key, form=form[:100])
    except IntegrityError:
        return False
    return True


def submission_keys_purge(*, now=None) -> int:
    """Delete keys older than :data:`SUBMISSION_KEY_LIFETIME`; returns how many."""
    cutoff = (now or timezone.now()) - SUBMISSION_KEY_LIFETIME
    deleted, _by_model = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
