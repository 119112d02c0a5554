"""Staff screens for electronic IDs: issue in bulk, print plaques, see scan counts.

The issue and print actions show only to those who may issue codes (registry.roles), and the
service asks again for each record; a refused batch issues nothing."""

import io

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from projects.admin import ProjectAdmin
from qr import selectors, services
from qr.models import ElectronicId, PlaqueJob, ScanCount
from qr.plaques import UnprintableText, build_sheets
from registry.admin import AdminUnitAdmin, AssetAdmin, ReadOnlyAdmin
from registry.roles import Task
from registry.scoping import in_scope, may
from visits.admin import SiteAdmin


def plaque_response(request, eids, layout: int):
    """A PDF now for a small batch; a background job with a progress page for a large one."""
    codes = list(eids.values_list("code", flat=True))
    if not codes:
        messages.warning(request, _("None of the selected records has an electronic ID yet."))
        return None
    if len(codes) > settings.PLAQUE_INLINE_LIMIT:
        job = services.start_plaque_job(codes, layout=layout, actor=request.user)
        return redirect("qr:plaque-job", pk=job.pk)
    buffer = io.BytesIO()
    try:
        build_sheets(selectors.plaque_items(eids), buffer, layout=layout)
    except UnprintableText as exc:
        messages.error(request, str(exc))
        return None
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="plaques.pdf")


def _print_action(layout: int):
    def action(modeladmin, request, queryset):
        if queryset.model is ElectronicId:
            eids = queryset
        else:
            eids = ElectronicId.objects.filter(
                subject_type=ContentType.objects.get_for_model(queryset.model),
                subject_id__in=queryset.values("pk"),
            )
        return plaque_response(request, eids, layout)

    action.__name__ = f"print_plaques_{layout}"
    action.short_description = _("Print plaques, %(n)s per A4 page") % {"n": layout}
    action.allowed_permissions = ("issue_codes",)
    return action


@admin.action(
    description=_("Issue electronic IDs to the selected records"),
    permissions=["issue_codes"],
)
@transaction.atomic
def issue_selected(modeladmin, request, queryset):
    before = ElectronicId.objects.count()
    for subject in queryset:
        services.issue_code(subject, actor=request.user)
    issued = ElectronicId.objects.count() - before
    messages.success(
        request,
        ngettext("%(n)d electronic ID issued.", "%(n)d electronic IDs issued.", issued)
        % {"n": issued},
    )


@admin.action(
    description=_("Issue electronic IDs to every record of the selected units"),
    permissions=["issue_codes"],
)
@transaction.atomic
def issue_for_units(modeladmin, request, queryset):
    issued = sum(len(services.issue_codes(unit, actor=request.user)) for unit in queryset)
    messages.success(
        request,
        ngettext("%(n)d electronic ID issued.", "%(n)d electronic IDs issued.", issued)
        % {"n": issued},
    )


PRINT_ACTIONS = [_print_action(layout) for layout in (1, 4, 12)]
for record_admin in (AssetAdmin, ProjectAdmin, SiteAdmin):
    record_admin.actions = [*(record_admin.actions or []), issue_selected, *PRINT_ACTIONS]
AdminUnitAdmin.actions = [*(AdminUnitAdmin.actions or []), issue_for_units]


class StaffReadOnlyAdmin(ReadOnlyAdmin):
    """Every staff member may look, scoped to their units (no per-model permission needed)."""

    def has_module_permission(self, request):
        return request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    def has_issue_codes_permission(self, request):
        return may(request.user, Task.ISSUE_CODES)


@admin.register(ElectronicId)
class ElectronicIdAdmin(StaffReadOnlyAdmin):
    list_display = ("code", "subject_type", "subject_id", "unit", "issued_at", "scans")
    list_filter = ("prefix", ("unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "unit__name", "unit__code")
    list_select_related = ("unit", "subject_type")
    actions = PRINT_ACTIONS

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(scan_total=Sum("scans__count"))
        return in_scope(request.user, queryset, "unit")

    @admin.display(description=_("scans"), ordering="scan_total")
    def scans(self, obj):
        return obj.scan_total or 0


@admin.register(ScanCount)
class ScanCountAdmin(StaffReadOnlyAdmin):
    list_display = ("electronic_id", "day", "count")
    list_filter = ("day",)
    search_fields = ("electronic_id__code",)
    date_hierarchy = "day"
    list_select_related = ("electronic_id",)

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "electronic_id__unit")


@admin.register(PlaqueJob)
class PlaqueJobAdmin(StaffReadOnlyAdmin):
    list_display = ("created", "requested_by", "total", "done", "status")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(requested_by=request.user)
