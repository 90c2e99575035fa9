"""Admin for organisers: meetings and their evidence, chat, rates, and the deal log."""

from __future__ import annotations

from django.contrib import admin

from meetings.models import (
    ChatMessage,
    Deal,
    DealRevision,
    ExchangeRate,
    Meeting,
    MeetingAttendee,
    MeetingJoin,
)


class MeetingAttendeeInline(admin.TabularInline):
    model = MeetingAttendee
    extra = 0
    raw_id_fields = ("user", "company")
    fields = ("user", "company", "start", "end", "active")


class MeetingJoinInline(admin.TabularInline):
    model = MeetingJoin
    extra = 0
    raw_id_fields = ("user", "company")
    fields = ("user", "company", "kind", "at")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("id", "start", "exhibitor", "buyer", "mode", "table_number", "status")
    list_filter = ("fair", "status", "mode")
    search_fields = ("exhibitor__name_en", "exhibitor__name_vi", "buyer__name_en", "uid")
    date_hierarchy = "start"
    raw_id_fields = ("exhibitor", "buyer", "created_by")
    readonly_fields = ("uid", "sequence", "version", "created_at", "updated_at")
    list_select_related = ("exhibitor", "buyer")
    inlines = [MeetingAttendeeInline, MeetingJoinInline]


@admin.register(MeetingAttendee)
class MeetingAttendeeAdmin(admin.ModelAdmin):
    list_display = ("id", "meeting", "user", "company", "start", "active")
    list_filter = ("fair", "active")
    search_fields = ("user__email", "user__full_name", "company__name_en")
    raw_id_fields = ("meeting", "user", "company")
    list_select_related = ("meeting__exhibitor", "meeting__buyer", "user", "company")


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "meeting", "sender", "created_at")
    list_filter = ("meeting__fair",)
    search_fields = ("text", "sender__email", "sender__full_name")
    raw_id_fields = ("meeting", "sender")
    list_select_related = ("meeting__exhibitor", "meeting__buyer", "sender")
    readonly_fields = ("client_id", "created_at")


@admin.register(MeetingJoin)
class MeetingJoinAdmin(admin.ModelAdmin):
    list_display = ("id", "meeting", "user", "company", "kind", "at")
    list_filter = ("kind", "meeting__fair")
    search_fields = ("user__email", "user__full_name", "company__name_en")
    raw_id_fields = ("meeting", "user", "company")
    list_select_related = ("meeting__exhibitor", "meeting__buyer", "user", "company")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "units_per_usd", "valid_from", "fair", "created_by")
    list_filter = ("fair", "currency")
    search_fields = ("currency",)
    date_hierarchy = "valid_from"
    raw_id_fields = ("created_by",)

    def save_model(self, request, obj, form, change):  # noqa: ANN001
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class DealRevisionInline(admin.TabularInline):
    model = DealRevision
    extra = 0
    can_delete = False
    fields = ("version", "user", "at", "changes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # noqa: ANN001
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Read-mostly: edits go through the site so that every change is in the history."""

    list_display = (
        "id",
        "company",
        "counterpart_name",
        "meeting",
        "stage",
        "currency",
        "amount_minor",
        "value_usd_cents",
        "updated_at",
    )
    list_filter = ("fair", "stage", "currency")
    search_fields = ("company__name_en", "counterpart_name", "contacts", "notes")
    raw_id_fields = ("company", "counterpart", "meeting", "visitor_badge", "created_by")
    readonly_fields = (
        "amount_minor",
        "currency",
        "units_per_usd",
        "vnd_per_usd",
        "rated_at",
        "value_usd_cents",
        "value_vnd",
        "version",
        "created_at",
        "updated_at",
    )
    list_select_related = ("company", "meeting")
    inlines = [DealRevisionInline]

    def has_change_permission(self, request, obj=None):  # noqa: ANN001
        return False


@admin.register(DealRevision)
class DealRevisionAdmin(admin.ModelAdmin):
    list_display = ("deal", "version", "user", "at")
    list_filter = ("deal__fair",)
    search_fields = ("deal__company__name_en", "user__email")
    raw_id_fields = ("deal", "user")
    list_select_related = ("deal", "user")

    def has_change_permission(self, request, obj=None):  # noqa: ANN001
        return False

    def has_add_permission(self, request):  # noqa: ANN001
        return False
