"""Administration for organisers: people and fair editions.

Organisers are staff in the "organisers" group. :class:`OrganiserAdmin` gives them full access to
a model without per-model permissions; other apps' admin classes should inherit from it.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fairsite.models import Fair, SubmissionKey, User


class OrganiserAdmin(admin.ModelAdmin):
    """Everything allowed for organisers (and superusers), nothing for other staff."""

    def _organiser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_organiser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._organiser(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._organiser(request)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return self._organiser(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._organiser(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._organiser(request)


class OrganiserInline(admin.TabularInline):
    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_organiser)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_organiser)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_organiser)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_organiser)


@admin.register(User)
class UserAdmin(OrganiserAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "language", "time_zone", "is_staff", "is_active"]
    list_filter = ["kind", "language", "is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "kind", "time_zone", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "kind", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Organisers manage people, not privileges.
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields


@admin.register(Fair)
class FairAdmin(OrganiserAdmin):
    list_display = ["name", "slug", "venue", "start_date", "end_date", "is_current", "tables"]
    list_filter = ["is_current", "time_zone"]
    search_fields = ["name", "name_vi", "slug", "venue"]
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "start_date"


# --- Telling people: the e-mail outbox, stored notifications, background jobs -----------------

from fairsite.models import Notification, OutgoingEmail  # noqa: E402


class ReadOnlyOrganiserAdmin(OrganiserAdmin):
    """Organisers look; the system writes."""

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyOrganiserAdmin):
    list_display = ["key", "to", "subject", "created_at", "sent_at", "attempts"]
    list_filter = ["sent_at"]
    search_fields = ["key", "to", "subject"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyOrganiserAdmin):
    list_display = ["kind", "recipient", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "kind"]
    list_select_related = ["recipient"]


def _register_job_admin() -> None:
    """procrastinate's job list (PostgreSQL only), visible to organisers."""
    from django.conf import settings

    if "procrastinate.contrib.django" not in settings.INSTALLED_APPS:
        return
    from procrastinate.contrib.django import admin as job_admin
    from procrastinate.contrib.django import models as job_models

    class JobAdmin(ReadOnlyOrganiserAdmin, job_admin.ProcrastinateJobAdmin):
        pass

    if admin.site.is_registered(job_models.ProcrastinateJob):
        admin.site.unregister(job_models.ProcrastinateJob)
    admin.site.register(job_models.ProcrastinateJob, JobAdmin)


_register_job_admin()


@admin.register(SubmissionKey)
class SubmissionKeyAdmin(OrganiserAdmin):
    """The used keys of create forms, for looking into a reported repeat."""

    list_display = ["form", "key", "created_at"]
    list_filter = ["form"]
    search_fields = ["form", "key"]
    date_hierarchy = "created_at"
