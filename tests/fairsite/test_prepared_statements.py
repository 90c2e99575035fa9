"""On PostgreSQL a statement a connection runs again and again is prepared, so it is planned once
per connection (``FAIRSITE_DB_PREPARE``, fairsite/settings.py): the viewer's query of every
signed-in request among them."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from fairsite.session_auth import VIEWER_ROWS

pytestmark = pytest.mark.django_db


def _prepared_viewer_statements(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
        ["%account_emailaddress%fairsite_notification%"],
    )
    return cursor.fetchone()[0]


def test_the_viewers_query_is_prepared_after_a_few_runs(postgres_required, organiser):
    for _ in range(6):
        assert VIEWER_ROWS.fetch_sync(user_id=organiser.pk)[0][0] == organiser.pk
    with connection.cursor() as cursor:
        assert _prepared_viewer_statements(cursor) == 1


def test_without_the_setting_nothing_is_prepared(postgres_required, organiser):
    """Negative control: a connection with Django's defaults (parameters in the SQL text, no
    prepared statements) plans the same statement on every run."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.update(prepare_threshold=None, cursor_factory=psycopg.ClientCursor)
    sql, values = VIEWER_ROWS.sql_params(user_id=organiser.pk)
    with psycopg.connect(**params) as plain, plain.cursor() as cursor:
        for _ in range(6):
            cursor.execute(sql, values)  # another connection: the test's rows are not seen
            cursor.fetchall()
        assert _prepared_viewer_statements(cursor) == 0
