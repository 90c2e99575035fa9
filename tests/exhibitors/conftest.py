"""Fixtures for the companies app: a sign-up helper that goes through the real e-mail flow."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")


@pytest.fixture
def signup(client, settings):
    """Register through the real forms, follow the e-mailed link, and return the response of
    the confirmation (followed). ``language`` is sent as the switcher's cookie."""

    # Sign-up rate limits count across the whole run; they have a test of their own.
    settings.ACCOUNT_RATE_LIMITS = False

    def _signup(*, email, kind, language="en", full_name="Nguyễn Văn An", time_zone="", other=""):
        client.cookies["django_language"] = language
        mail.outbox.clear()
        response = client.post(
            "/accounts/signup/",
            {
                "email": email,
                "password1": PASSWORD,
                "password2": PASSWORD,
                "full_name": full_name,
                "kind": kind,
                "language": language,
                "time_zone": time_zone,
                "time_zone_other": other,
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        match = LINK.search(message.body)
        assert match, message.body
        link = match.group(0)
        path = link.split("://", 1)[1].split("/", 1)[1]
        confirm_page = client.get("/" + path)
        assert confirm_page.status_code == 200
        confirmed = client.post("/" + path, follow=True)
        return message, confirm_page, confirmed

    return _signup
