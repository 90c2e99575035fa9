"""Matchmaking fixtures: a fair a month from now, so proposed times lie in the future."""

from __future__ import annotations

import pytest

from tests.matchmaking.helpers import future_fair


@pytest.fixture
def fair(db):
    return future_fair()
