"""Account flow hooks: where people land after sign-up, and e-mails in their own language."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from exhibitors.selectors import onboarding_needed


class AccountAdapter(DefaultAccountAdapter):
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
