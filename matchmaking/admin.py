from django.contrib import admin

from matchmaking.models import (
    Availability,
    Concept,
    FairBreak,
    GridSettings,
    Interest,
    MeetingFeedback,
    MeetingRequest,
    ProposedSlot,
    Recommendation,
    SchedulerRun,
    WaitlistEntry,
    WaitlistOffer,
)


class FairBreakInline(admin.TabularInline):
    model = FairBreak
    extra = 1


@admin.register(GridSettings)
class GridSettingsAdmin(admin.ModelAdmin):
    list_display = ["fair", "online_start", "online_end"]


@admin.register(FairBreak)
class FairBreakAdmin(admin.ModelAdmin):
    list_display = ["fair", "start", "end"]
    list_filter = ["fair"]


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["user", "fair", "start", "end"]
    list_filter = ["fair"]
    raw_id_fields = ["user"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["from_company", "to_company", "level", "updated_at"]
    list_filter = ["fair", "level"]
    raw_id_fields = ["from_company", "to_company", "set_by"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["company", "rank", "other", "score", "computed_at"]
    list_filter = ["fair"]
    raw_id_fields = ["company", "other"]


class ProposedSlotInline(admin.TabularInline):
    model = ProposedSlot
    extra = 0
    readonly_fields = ["round", "start", "end", "mode"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "requester", "recipient", "status", "round", "created_at"]
    list_filter = ["fair", "status"]
    raw_id_fields = [
        "requester",
        "recipient",
        "exhibitor",
        "buyer",
        "awaiting",
        "requested_by",
        "answered_by",
        "meeting",
    ]
    inlines = [ProposedSlotInline]


@admin.register(SchedulerRun)
class SchedulerRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "fair", "status", "meetings_created", "created_at", "published_at"]
    list_filter = ["fair", "status"]
    readonly_fields = ["instance", "result", "pairs"]


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    """The recommendation vocabulary: add a process or product, or another name for one; the
    next recompute uses it."""

    list_display = ["code", "kind", "broader", "names_en", "names_vi"]
    list_filter = ["kind"]
    search_fields = ["code", "names_en", "names_vi", "names_ja", "names_ko"]
    raw_id_fields = ["broader"]


@admin.register(MeetingFeedback)
class MeetingFeedbackAdmin(admin.ModelAdmin):
    list_display = ["meeting", "company", "took_place", "usefulness", "next_step", "absent"]
    list_filter = ["fair", "took_place", "usefulness", "next_step"]
    raw_id_fields = ["meeting", "company", "absent", "given_by"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """Every exhibitor's waiting list, in order, for the organisers."""

    list_display = ["exhibitor", "buyer", "user", "status", "created_at"]
    list_filter = ["fair", "status"]
    search_fields = ["exhibitor__name_en", "exhibitor__name_vi", "buyer__name_en"]
    raw_id_fields = ["buyer", "exhibitor", "user"]
    ordering = ["exhibitor", "created_at", "id"]


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(admin.ModelAdmin):
    list_display = ["entry", "start", "end", "status", "expires_at", "meeting"]
    list_filter = ["fair", "status"]
    raw_id_fields = ["entry", "freed_meeting", "exhibitor_user", "meeting"]
