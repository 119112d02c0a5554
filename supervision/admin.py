"""Admin of supervision: the report categories and the tour checklist (configuration), the
stations and tours (scoped to the user's units, saved through the services), and the cases,
which are only looked at here: they are worked on the field app's pages and through the API.
A reporter's contact has its own page, for those whose role may see contacts."""

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from leasing.admin import ServiceCheckedForm
from registry.admin import ReadOnlyAdmin, RecordAdmin, VillageFilter
from registry.roles import Role
from registry.scoping import sees_everything
from supervision import services
from supervision.field_selectors import handled_cases
from supervision.models import (
    Case,
    CaseState,
    Category,
    Finding,
    ProblemForm,
    ReporterContact,
    Station,
    Tour,
    TourArea,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The city's list of report categories: city staff edit it. A category in use is never
    deleted (its cases keep it); one no longer offered is switched off."""

    list_display = (
        "code",
        "name",
        "name_en",
        "position",
        "days_allowed",
        "working_days",
        "to_township",
        "active",
    )
    list_editable = ("position", "days_allowed", "working_days", "to_township", "active")
    list_filter = ("active", "to_township")

    def has_add_permission(self, request):
        return sees_everything(request.user)

    def has_change_permission(self, request, obj=None):
        return sees_everything(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class StationForm(ServiceCheckedForm):
    check = staticmethod(services.check_station)

    class Meta:
        model = Station
        fields = ("village", "name", "head", "office_phone", "place", "office_hours")


@admin.register(Station)
class StationAdmin(RecordAdmin):
    form = StationForm
    list_display = ("name", "village", "head", "office_phone", "office_hours")
    list_filter = (VillageFilter,)
    list_select_related = ("village", "head")
    search_fields = ("name", "village__name", "village__code")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("village__boundary")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "head":
            kwargs["queryset"] = User.objects.filter(
                is_active=True, groups__name=Role.SUPERVISOR
            ).order_by("first_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_station(obj, actor=request.user)


class ProblemFormInline(admin.TabularInline):
    model = ProblemForm
    extra = 1
    fields = ("position", "text", "sample")


@admin.register(TourArea)
class TourAreaAdmin(admin.ModelAdmin):
    """The inspection tours' checklist: areas and the forms a problem takes in each. The
    shipped entries are samples, marked as such, to be replaced by the official list."""

    list_display = ("position", "name", "sample_marker", "form_count")
    list_display_links = ("name",)
    list_filter = ("sample",)
    inlines = [ProblemFormInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(form_count=Count("forms"))

    @admin.display(description=_("sample"))
    def sample_marker(self, area: TourArea) -> str:
        return _("Sample — replace with the official list") if area.sample else ""

    @admin.display(description=_("problem forms"), ordering="form_count")
    def form_count(self, area: TourArea) -> int:
        return area.form_count

    def has_delete_permission(self, request, obj=None):
        return False


class FindingForm(forms.ModelForm):
    """A new finding: it opens a case (services.record_finding), in the category chosen."""

    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.filter(active=True)
    )
    text = forms.CharField(
        label=_("what was found"),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=services.TEXT_MIN,
        max_length=services.TEXT_MAX,
    )

    class Meta:
        model = Finding
        fields = ("form", "text")


class FindingInline(admin.TabularInline):
    """Findings are added here and then only looked at: each is a case from then on."""

    model = Finding
    form = FindingForm
    extra = 0
    can_delete = False
    fields = ("form", "text", "category", "case_link")
    readonly_fields = ("case_link",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("form", "case__category")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("category"))
    def category(self, finding: Finding) -> str:
        return str(finding.case.category)

    @admin.display(description=_("case"))
    def case_link(self, finding: Finding | None) -> str:
        if finding is None or finding.pk is None:
            return "—"
        return f"{finding.case} · {finding.case.get_state_display()}"


@admin.register(Tour)
class TourAdmin(RecordAdmin):
    list_display = ("village", "starts_on", "ends_on", "team", "finding_count")
    list_filter = (VillageFilter,)
    list_select_related = ("village",)
    date_hierarchy = "starts_on"
    inlines = [FindingInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("village__boundary")
            .annotate(finding_count=Count("findings"))
        )

    @admin.display(description=_("findings"), ordering="finding_count")
    def finding_count(self, tour: Tour) -> int:
        return tour.finding_count

    def save_formset(self, request, form, formset, change):
        if formset.model is not Finding:
            return super().save_formset(request, form, formset, change)
        for finding_form in formset.extra_forms:
            if not finding_form.has_changed():
                continue
            data = finding_form.cleaned_data
            services.record_finding(
                form.instance,
                form=data["form"],
                text=data["text"],
                category=data["category"],
                actor=request.user,
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None


class CaseStateInline(admin.TabularInline):
    model = CaseState
    extra = 0
    can_delete = False
    fields = ("state", "at", "actor", "by_reporter", "reason")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases, looked up by those who may handle them (services.may_handle); they are worked
    on the field app's pages and through the API, where each move is checked and logged."""

    list_display = (
        "reference",
        "category",
        "village",
        "route",
        "state",
        "due_on",
        "escalated",
        "created",
    )
    list_filter = ("state", "category", VillageFilter, "route", "escalated", "source")
    list_select_related = ("category", "village")
    date_hierarchy = "created"
    inlines = [CaseStateInline]
    exclude = ("submission", "receipt_hash", "location")

    def get_queryset(self, request):
        return handled_cases(request.user).defer("village__boundary")

    @admin.display(description=_("number"), ordering="pk")
    def reference(self, case: Case) -> str:
        return case.reference


@admin.register(ReporterContact)
class ReporterContactAdmin(ReadOnlyAdmin):
    """How to reach a named or confidential reporter: only for roles that may see contacts
    (the `supervision.view_reportercontact` permission), in the cases they may handle."""

    list_display = ("case", "name", "phone", "email", "created")
    list_select_related = ("case",)
    search_fields = ("name", "phone", "email")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(case__in=handled_cases(request.user).values("pk"))

    def has_module_permission(self, request):
        return request.user.has_perm("supervision.view_reportercontact")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("supervision.view_reportercontact")
