"""The current fair is kept per process and read again whenever the fair's generation moves:
a change saved anywhere, or committed by another process, is seen from the next request on."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairsite import current_fair as module
from fairsite.current_fair import GENERATION_KEY, current_fair
from fairsite.models import Fair
from tests import factories


@pytest.fixture
def current(db):
    return factories.FairFactory(is_current=True, name="Before")


def test_a_kept_fair_costs_no_query(current):
    assert current_fair().pk == current.pk
    with CaptureQueriesContext(connection) as queries:
        again = current_fair()
    assert again.pk == current.pk
    assert len(queries) == 0


def test_each_call_gets_its_own_instance(current):
    first = current_fair()
    first.name = "Changed in one request only"
    second = current_fair()
    assert second is not first
    assert second.name == "Before"


def test_a_fair_saved_here_is_seen_at_once(current):
    current_fair()
    current.name = "After"
    current.save()
    assert current_fair().name == "After"


def test_a_change_committed_by_another_process_is_seen_from_its_generation(current):
    current_fair()
    # Another process changed the row and renewed the generation when it committed; nothing
    # told this process directly.
    Fair.objects.filter(pk=current.pk).update(name="Changed elsewhere")
    cache.set(GENERATION_KEY, "another process's change", None)
    assert current_fair().name == "Changed elsewhere"


def test_without_a_new_generation_the_kept_row_is_served(current):
    """Negative control: the kept row is what answers, so the generation is what makes the
    other process's change seen."""
    current_fair()
    Fair.objects.filter(pk=current.pk).update(name="Changed elsewhere")
    assert current_fair().name == "Before"


def test_the_generation_is_renewed_when_the_change_commits(
    current, django_capture_on_commit_callbacks
):
    before = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        current.name = "After"
        current.save()
    assert cache.get(GENERATION_KEY) != before


def test_deleting_the_fair_is_seen(current):
    assert current_fair() is not None
    current.delete()
    assert current_fair() is None


def test_no_fair_then_a_new_one(db):
    assert current_fair() is None
    created = factories.FairFactory(is_current=True)
    assert current_fair().pk == created.pk


def test_the_slug_setting_picks_its_own_fair(current, settings):
    other = factories.FairFactory(is_current=False, slug="other-edition")
    assert current_fair().pk == current.pk
    settings.FAIR_SLUG = "other-edition"
    assert current_fair().pk == other.pk


def test_an_old_copy_is_read_again_after_the_keep_time(current, monkeypatch):
    current_fair()
    Fair.objects.filter(pk=current.pk).update(name="Changed elsewhere")
    monkeypatch.setattr(module, "KEEP_SECONDS", 0.0)
    assert current_fair().name == "Changed elsewhere"


def test_requests_see_a_saved_change(client, current):
    assert client.get("/").context["fair"].name == "Before"
    current.name = "After"
    current.save()
    assert client.get("/").context["fair"].name == "After"
