"""Account flow hooks: where people land after sign-up, and e-mails in their own language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from exhibitors.selectors import onboarding_needed
from fairsite.middleware import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The one client address (``fairsite.middleware.ClientAddressMiddleware``)."""
        address = getattr(request, "client_ip", None)
        if address:
            return address
        return client_address(
            peer=request.META.get("REMOTE_ADDR"),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        )

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        """Sign-ins of one account run one at a time (its user row is locked meanwhile).

        allauth counts an attempt against the account's and the address's limits before it
        checks the password, and takes the count back when the password was right; parallel
        correct sign-ins of one account would otherwise all be counted at once and some
        refused as "too many failed attempts". Locking rule: ``select_for_update`` of the
        account's user row for the length of the password check."""
        email = credentials.get("email") or credentials.get("username") or ""
        with transaction.atomic():
            if email:
                list(
                    get_user_model()
                    .objects.select_for_update()
                    .filter(email__iexact=email)
                    .values_list("pk", flat=True)
                )
            return super().authenticate(request, **credentials)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        fair = getattr(request, "fair", None)
        if onboarding_needed(user=request.user, fair=fair):
            return reverse("exhibitors:onboarding")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """New people go on to register their company (or get their badge)."""
        if getattr(request, "fair", None):
            return reverse("exhibitors:onboarding")
        return super().get_signup_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Write the e-mail in the recipient's language (their account setting)."""
        user = context.get("user")
        language = getattr(user, "language", None)
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
