from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairsiteConfig(AppConfig):
    name = "fairsite"
    verbose_name = _("Fair")

    def ready(self) -> None:
        # A fair saved or deleted anywhere (services, admin, scripts, workers) renews the
        # generation that every process's copy of the current fair is checked against.
        from fairsite import current_fair  # noqa: F401
