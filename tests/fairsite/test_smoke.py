import pytest
from django.db import connection


@pytest.mark.django_db
def test_home_renders_fair_name(client, fair):
    response = client.get("/")
    assert response.status_code == 200
    assert fair.name in response.content.decode()


@pytest.mark.django_db
def test_database_backend_matches_environment(settings):
    import os

    expected = "postgresql" if os.environ.get("FAIRSITE_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
