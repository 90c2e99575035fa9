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


def test_favicon_ico_answers_200_with_an_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # ICO header


@pytest.mark.django_db
def test_pages_link_the_svg_and_ico_icons(client):
    html = client.get("/").content.decode()

    assert 'href="/static/fairsite/favicon.svg" type="image/svg+xml"' in html
    assert 'href="/static/fairsite/favicon.ico"' in html
