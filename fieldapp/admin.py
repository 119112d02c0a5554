from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fieldapp.models import (
    Checklist,
    ChecklistItem,
    FollowUp,
    Inspection,
    Photo,
    ProgressReport,
    SupervisorNote,
)
from registry.admin import ReadOnlyAdmin
from registry.scoping import in_scope


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("position", "text", "answer_type", "unit", "minimum", "mandatory")


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    """Checklists are configuration, not the public record: staff edit them directly."""

    list_display = ("name", "subject_kind", "stage", "active")
    list_filter = ("subject_kind", "stage", "active")
    search_fields = ("name", "items__text")
    inlines = [ChecklistItemInline]


class FieldRecordAdmin(ReadOnlyAdmin):
    """Field records are written from the phone through services; staff look them up here."""

    list_select_related = ("village",)

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "village")


@admin.register(Inspection)
class InspectionAdmin(FieldRecordAdmin):
    list_display = ("checklist", "village", "inspector", "inspected_at", "failed_count")
    list_select_related = ("village", "checklist", "inspector")
    list_filter = ("checklist",)


@admin.register(FollowUp)
class FollowUpAdmin(FieldRecordAdmin):
    list_display = ("item", "village", "due_on", "status")
    list_select_related = ("village", "item")
    list_filter = ("status",)


@admin.register(Photo)
class PhotoAdmin(FieldRecordAdmin):
    list_display = ("purpose", "village", "uploaded_by", "taken_at", "off_site", "public")
    list_select_related = ("village", "uploaded_by")
    list_filter = ("purpose", "off_site", "public")
    # The original (with the phone's EXIF) has no public URL: it is named, never linked.
    exclude = ("original",)
    readonly_fields = ("original_kept", "picture")

    @admin.display(description=_("original"))
    def original_kept(self, photo: Photo) -> str:
        return _("kept privately, with the camera's EXIF (SHA-256 %(sha)s)") % {
            "sha": photo.sha256[:16]
        }

    @admin.display(description=_("photo"))
    def picture(self, photo: Photo) -> str:
        url = reverse("fieldapp:public-photo", args=[photo.pk, "thumb"])
        return format_html('<img src="{}" alt="" width="160">', url)


@admin.register(SupervisorNote)
class SupervisorNoteAdmin(FieldRecordAdmin):
    list_display = ("text", "village", "author", "public", "created")
    list_select_related = ("village", "author")
    list_filter = ("public",)


@admin.register(ProgressReport)
class ProgressReportAdmin(FieldRecordAdmin):
    list_display = ("subject_id", "village", "reporter", "percent", "advance_to", "conflict")
    list_select_related = ("village", "reporter")
