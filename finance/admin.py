"""Admin of village money. The power list (items and their steps, approval rules, risk points,
links of records to items) is edited here by those whose role edits it (`Task.EDIT_POWER_LIST`,
scoped as `registry.scoping.may` says: city staff for the city-wide list and chain, township staff
for their villages' own risk points), each save logged through `registry.services.save_record`.
Payees, payment requests, receipts and disclosures are only looked at here, in the user's units:
they are written through the finance services and their pages, where every rule is checked."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from finance import powers
from finance.models import (
    ApprovalRule,
    ApprovalStep,
    DisclosureQuestion,
    MonthlyDisclosure,
    Payee,
    PaymentRequest,
    PowerItem,
    PowerLink,
    PowerStep,
    Receipt,
    RiskPoint,
    Voucher,
)
from registry import services
from registry.admin import ReadOnlyAdmin, RecordAdmin, TownshipFilter, VillageFilter
from registry.forms import TypedInputModelForm
from registry.roles import Task, task_for
from registry.scoping import covers, ensure_may, in_scope, may, sees_everything
from trail.models import Event

# ---------------------------------------------------------------- the power list


class PowerListAdmin(RecordAdmin):
    """The power list is public and city-wide: everyone who may edit it sees all of it; a
    row is added or changed by whoever `may` allows on it (a row of no village: city staff)."""

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and may(
            request.user, task_for(self.model), self.model()
        )


class PowerStepInline(admin.TabularInline):
    model = PowerStep
    extra = 1
    fields = ("position", "kind", "actor", "action")
    ordering = ("position",)

    def has_add_permission(self, request, obj=None):
        return may(request.user, Task.EDIT_POWER_LIST, obj or PowerItem())

    def has_change_permission(self, request, obj=None):
        return may(request.user, Task.EDIT_POWER_LIST, obj or PowerItem())

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


def remove_step(step: PowerStep, *, actor) -> None:
    """A step taken out of an item, its last public values kept in the log."""
    ensure_may(actor, task_for(step), step)
    values, _restricted = services.snapshot(step)
    services.log_event(
        step.item, action=Event.Action.UPDATE, changes={"step_removed": values}, actor=actor
    )
    step.delete()


@admin.register(PowerItem)
class PowerItemAdmin(PowerListAdmin):
    list_display = ("number", "title", "area", "decider", "applies_to", "step_count", "sample")
    list_display_links = ("number", "title")
    list_filter = ("area", "applies_to", "sample")
    search_fields = ("title", "decider", "basis")
    fields = ("number", "area", "title", "decider", "basis", "description", "applies_to", "sample")
    inlines = [PowerStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description=_("steps"), ordering="step_count")
    def step_count(self, item: PowerItem) -> int:
        return item.step_count

    def save_formset(self, request, form, formset, change):
        """Each step is saved (or removed) on its own, checked and logged."""
        if formset.model is not PowerStep:
            return super().save_formset(request, form, formset, change)
        steps = formset.save(commit=False)
        for step in formset.deleted_objects:
            remove_step(step, actor=request.user)
        for step in steps:
            services.save_record(step, actor=request.user)
        return None


class ApprovalRuleForm(TypedInputModelForm):
    def clean_above(self) -> Decimal:
        """In fen, as the database keeps it, so the log says what is stored (50000.00)."""
        return self.cleaned_data["above"].quantize(Decimal("0.01"))


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(PowerListAdmin):
    form = ApprovalRuleForm
    list_display = ("label", "power_item", "position", "role", "above")
    list_filter = ("role", ("power_item", admin.EmptyFieldListFilter))
    list_select_related = ("power_item",)
    fields = ("power_item", "position", "role", "above", "label")


@admin.register(RiskPoint)
class RiskPointAdmin(RecordAdmin):
    """The general risk points (no village) are city staff's; a village's own are its
    township's. Township staff see the general ones too, to read."""

    list_display = ("risk", "post", "level", "village", "item", "sample")
    list_filter = ("post", "level", "sample", VillageFilter)
    list_select_related = ("village", "item")
    search_fields = ("risk", "measure")
    fields = ("post", "village", "level", "item", "risk", "measure", "sample")

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request).defer("village__boundary")
        return queryset.filter(
            Q(village__isnull=True) | Q(pk__in=in_scope(request.user, queryset, "village"))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "village" in form.base_fields and not sees_everything(request.user):
            form.base_fields["village"].required = True  # a general one is city staff's
        return form


class PowerLinkForm(forms.ModelForm):
    """Which item a project, lease or auction follows, where not its kind's default. Saved by
    `finance.powers.link`, which checks the user may write that record and logs it there."""

    class Meta:
        model = PowerLink
        fields = ("item", "subject_type", "subject_id")

    user = None  # set by PowerLinkAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "subject_type" in self.fields:
            self.fields["subject_type"].label = _("kind of record")
            self.fields["subject_type"].queryset = ContentType.objects.filter(
                pk__in=[
                    ContentType.objects.get_for_model(m).pk for m in powers.LINKED_MODELS.values()
                ]
            )
        if "subject_id" in self.fields:
            self.fields["subject_id"].label = _("record number")
            self.fields["subject_id"].min_value = 1

    def clean(self):
        cleaned = super().clean()
        linked = self.instance
        subject_type = cleaned.get("subject_type") or (
            linked.subject_type if linked.subject_type_id else None
        )
        subject_id = cleaned.get("subject_id") or linked.subject_id
        if not subject_type or not subject_id:
            return cleaned
        record = subject_type.model_class().objects.filter(pk=subject_id).first()
        if record is None:
            raise ValidationError(
                gettext("There is no %(kind)s numbered %(id)s.")
                % {"kind": subject_type.name, "id": subject_id}
            )
        if not may(self.user, task_for(record), record):
            raise ValidationError(gettext("You may not change this record."))
        self.record = record
        return cleaned

    def validate_unique(self):
        """A record already linked is linked anew: `powers.link` replaces its link."""


@admin.register(PowerLink)
class PowerLinkAdmin(admin.ModelAdmin):
    list_display = ("item", "subject_type", "subject_id")
    list_filter = ("subject_type",)
    list_select_related = ("item", "subject_type")
    form = PowerLinkForm

    def _tasks(self, request) -> bool:
        return any(may(request.user, task_for(model())) for model in powers.LINKED_MODELS.values())

    def has_module_permission(self, request):
        return self._tasks(request)

    def has_view_permission(self, request, obj=None):
        return self._tasks(request)

    def has_add_permission(self, request):
        return self._tasks(request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self._tasks(request)
        record = obj.subject
        return record is not None and may(request.user, task_for(record), record)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("subject_type", "subject_id") if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        link = powers.link(form.record, form.cleaned_data["item"], actor=request.user)
        obj.pk = link.pk


# ---------------------------------------------------------------- money: to look at


class LookedUpBy:
    """Rows written only by the finance services: staff whose role does one of `look_tasks`
    look at those of their units here; nobody adds, changes or deletes."""

    look_tasks: tuple[Task, ...] = ()

    def _may_look(self, request) -> bool:
        return any(may(request.user, task) for task in self.look_tasks)

    def has_module_permission(self, request):
        return self._may_look(request)

    def has_view_permission(self, request, obj=None):
        return self._may_look(request) and (obj is None or covers(request.user, obj))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


BOOKS = (Task.KEEP_BOOKS, Task.APPROVE_PAYMENTS, Task.PUBLISH_DISCLOSURES)


class ApprovalStepInline(LookedUpBy, admin.TabularInline):
    model = ApprovalStep
    look_tasks = BOOKS
    extra = 0
    fields = ("position", "label", "role", "decision", "decided_by", "decided_at", "reason")
    readonly_fields = fields


class VoucherInline(LookedUpBy, admin.TabularInline):
    """A voucher's description and hash; the file itself is opened on the request's page,
    where its access is checked."""

    model = Voucher
    look_tasks = BOOKS
    extra = 0
    fields = ("kind", "title", "content_type", "size", "sha256", "uploaded_at")
    readonly_fields = fields


@admin.register(Payee)
class PayeeAdmin(LookedUpBy, ReadOnlyAdmin):
    look_tasks = BOOKS
    list_display = ("public_name", "kind", "village", "bank_name")
    list_filter = ("kind", TownshipFilter, VillageFilter)
    list_select_related = ("village",)
    search_fields = ("name", "credit_code")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("village__boundary")
        return in_scope(request.user, queryset, "village")


@admin.register(PaymentRequest)
class PaymentRequestAdmin(LookedUpBy, ReadOnlyAdmin):
    look_tasks = BOOKS
    list_display = ("reference", "village", "payee", "amount", "state", "submitted_at", "paid_on")
    list_filter = ("state", "category", TownshipFilter, VillageFilter)
    list_select_related = ("village", "payee")
    search_fields = ("number", "purpose", "payee__name", "bank_reference")
    date_hierarchy = "created"
    inlines = [ApprovalStepInline, VoucherInline]
    exclude = ("client_uuid",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("village__boundary")
        return in_scope(request.user, queryset, "village")

    @admin.display(description=_("request number"), ordering="number")
    def reference(self, request: PaymentRequest) -> str:
        return request.reference


@admin.register(Receipt)
class ReceiptAdmin(LookedUpBy, ReadOnlyAdmin):
    look_tasks = BOOKS
    list_display = ("received_on", "village", "category", "payer", "amount", "banked_on")
    list_filter = ("category", TownshipFilter, VillageFilter)
    list_select_related = ("village",)
    search_fields = ("payer", "bank_reference", "note")
    date_hierarchy = "received_on"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("village__boundary")
        return in_scope(request.user, queryset, "village")


@admin.register(MonthlyDisclosure)
class MonthlyDisclosureAdmin(LookedUpBy, ReadOnlyAdmin):
    look_tasks = BOOKS
    list_display = ("village", "month", "number", "published_at", "sha256")
    list_filter = (TownshipFilter, VillageFilter)
    list_select_related = ("village",)
    date_hierarchy = "month"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("village__boundary")
        return in_scope(request.user, queryset, "village")


class QuestionVillageFilter(VillageFilter):
    unit_path = "disclosure__village"


@admin.register(DisclosureQuestion)
class DisclosureQuestionAdmin(LookedUpBy, ReadOnlyAdmin):
    look_tasks = (*BOOKS, Task.HANDLE_CASES)
    list_display = ("disclosure", "line_label", "case", "created")
    list_filter = (QuestionVillageFilter,)
    list_select_related = ("disclosure__village", "case")

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "disclosure__village")
