"""Admin of small works projects: their public description; the procedure's own records are
shown inline, read-only (they change through /staff/projects/)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import services as project_services
from projects.models import Deliberation, Disclosure, Project, ProjectDocument
from registry.admin import RecordAdmin, TownshipFilter, VillageFilter


class ProcedureRecordInline(admin.TabularInline):
    """The procedure's records, to read here; they are made on the procedure screen."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliberationInline(ProcedureRecordInline):
    model = Deliberation
    fields = ("step", "held_on", "entitled", "present", "votes_for", "votes_against")


class DisclosureInline(ProcedureRecordInline):
    model = Disclosure
    fields = ("kind", "published_on", "until", "place")


class DocumentInline(ProcedureRecordInline):
    model = ProjectDocument
    fields = ("stage", "kind", "title", "issued_on", "sha256", "size")


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    map_unit_field = "village"
    inlines = [DeliberationInline, DisclosureInline, DocumentInline]
    list_display = ("name", "village", "category", "stage", "contract_amount", "progress_percent")
    list_filter = ("stage", "category", TownshipFilter, VillageFilter)
    search_fields = ("name", "village__name", "village__code", "contractor")
    list_select_related = ("village",)

    def get_readonly_fields(self, request, obj=None):
        """The procedure moves only on its own screen, stage by stage, with its records; what
        has been paid, only by recording a bank payment."""
        movable = {"proposed_on"} if obj is None else set()
        fixed = [name for name in project_services.PROCEDURE_FIELDS if name not in movable]
        # "Paid so far" is computed from the project's bank payments (finance).
        return ("procedure_link", *sorted(fixed), "paid_amount")

    @admin.display(description=_("procedure"))
    def procedure_link(self, obj):
        if obj is None or obj.pk is None:
            return _("A new project starts at the proposal stage.")
        url = reverse("staff:project", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the procedure screen"))
