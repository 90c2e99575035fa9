"""Security headers: the CSP's sockets limited to the site's own origin, a Permissions-Policy."""

from __future__ import annotations

import pytest
from django.urls import reverse


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_csp_connects_to_the_own_origin_only(client, fair, settings):
    settings.ALLOWED_HOSTS = ["fair.example.vn"]
    response = client.get(reverse("exhibitors:directory"), HTTP_HOST="fair.example.vn")
    connect = _directives(response["Content-Security-Policy"])["connect-src"]
    assert connect == ["'self'", "ws://fair.example.vn"]


@pytest.mark.django_db
def test_csp_over_https_names_the_wss_origin(client, fair, settings):
    settings.ALLOWED_HOSTS = ["fair.example.vn"]
    response = client.get(
        reverse("exhibitors:directory"), HTTP_HOST="fair.example.vn:8443", secure=True
    )
    connect = _directives(response["Content-Security-Policy"])["connect-src"]
    assert connect == ["'self'", "wss://fair.example.vn:8443"]
    assert "ws:" not in connect and "wss:" not in connect


@pytest.mark.django_db
def test_permissions_policy_allows_the_camera_for_the_site_only(client, fair):
    response = client.get(reverse("exhibitors:directory"))
    policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    assert policy["camera"] == "(self)"
    for feature in ("microphone", "geolocation", "payment", "usb", "display-capture"):
        assert policy[feature] == "()", feature
