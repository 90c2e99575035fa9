"""``fairsite.async_db.CompiledQuery``: an ORM query compiled once, run with new values, on the
event loop's own connections and on Django's, with the rows the queryset itself returns."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from fairsite.async_db import CompiledQuery
from fairsite.models import User
from tests import factories


def _users(*, email: str, after: int):
    return User.objects.filter(email=email, pk__gt=after).values_list("pk", "email")


@pytest.mark.django_db(transaction=True)
def test_compiled_query_returns_what_the_queryset_returns(postgres_required):
    ann = factories.UserFactory(email="ann@example.com")
    bob = factories.UserFactory(email="bob@example.com")
    query = CompiledQuery(_users, email="\x00email", after=-1)

    for email, after in [(ann.email, 0), (bob.email, bob.pk), ("x@y.z", 0)]:
        expected = list(_users(email=email, after=after))
        assert query.fetch_sync(email=email, after=after) == expected
        assert async_to_sync(query.fetch)(email=email, after=after) == expected
    assert query.fetch_sync(email=ann.email, after=0) == [(ann.pk, ann.email)]
    assert query.fetch_sync(email=bob.email, after=bob.pk) == []


def test_a_placeholder_the_query_does_not_bind_is_refused():
    """``is_active=False`` compiles to ``NOT is_active``, no parameter: a value given later
    would be ignored, so compiling fails instead."""
    query = CompiledQuery(
        lambda *, email, active: User.objects.filter(email=email, is_active=active).values_list(
            "pk"
        ),
        email="\x00email",
        active=False,
    )

    with pytest.raises(ValueError, match="active"):
        query.sql_params(email="ann@example.com", active=True)
