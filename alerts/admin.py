"""Admin of the warnings: the warnings and their history to look up (staff act on them through
the warning pages and the API, where each step is checked and logged, never by editing a row
here), and the rules' settings, where city staff switch a rule off or change its parameters.
A parameter is checked against the rule's own definition (its type and range) before it is
stored, so a mistyped value never reaches a rule."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, AlertChange, RuleSetting
from alerts.rules import Rule, all_rules, get_rule
from registry.admin import ReadOnlyAdmin, VillageFilter
from registry.roles import Task, public_actor
from registry.scoping import in_scope, may, sees_everything


class HandlersMayLook:
    """Whoever handles warnings (registry.roles) may look, in their units."""

    def has_module_permission(self, request):
        return may(request.user, Task.HANDLE_WARNINGS)

    def has_view_permission(self, request, obj=None):
        return may(request.user, Task.HANDLE_WARNINGS)


class AlertVillageFilter(VillageFilter):
    title = _("unit")
    parameter_name = "unit"
    unit_path = "unit"


class AlertChangeInline(HandlersMayLook, admin.TabularInline):
    model = AlertChange
    extra = 0
    can_delete = False
    fields = ("kind", "level", "at", "by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("actor").prefetch_related("actor__groups")
        )

    @admin.display(description=_("by"))
    def by(self, change: AlertChange) -> str:
        return public_actor(change.actor)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(HandlersMayLook, ReadOnlyAdmin):
    list_display = ("rule", "rule_name", "level", "state", "unit", "subject_label", "raised_at")
    list_filter = ("rule", "level", "state", "holds", AlertVillageFilter)
    list_select_related = ("unit",)
    search_fields = ("rule", "key", "subject_label", "unit__name", "unit__code")
    date_hierarchy = "raised_at"
    inlines = [AlertChangeInline]
    fields = (
        "rule",
        "rule_name",
        "explanation",
        "level",
        "state",
        "unit",
        "subject_label",
        "holds",
        "reached_red",
        "numbers",
        "evidence",
        "raised_at",
        "seen_at",
        "acknowledged_at",
        "action",
        "action_at",
        "dismiss_reason",
        "resolved_at",
        "case",
        "key",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("unit__boundary")
        return in_scope(request.user, queryset, "unit")

    @admin.display(description=_("rule name"))
    def rule_name(self, alert: Alert) -> str:
        return alert.rule_name()

    @admin.display(description=_("explanation"))
    def explanation(self, alert: Alert) -> str:
        return alert.explanation()


def _jsonable(value: int | Decimal) -> int | str:
    return value if isinstance(value, int) else str(value)


def _parameter_rows(rule: Rule) -> list[tuple[str, str, str, str]]:
    return [
        (
            name,
            str(param.label),
            str(param.default),
            f"{param.minimum}–{'∞' if param.maximum is None else param.maximum}",
        )
        for name, param in rule.params.items()
    ]


class RuleSettingForm(forms.ModelForm):
    """A rule's switch and parameters. `params` holds only the parameters that differ from the
    settings' or the rule's defaults; each is parsed by the rule's own `Param`, so a bad value
    is refused here with the parameter and the reason named."""

    rule = forms.ChoiceField(label=_("rule"), choices=())
    params = forms.JSONField(
        label=_("parameters"),
        required=False,
        initial=dict,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            'As JSON, for example {"red_percent": 15}. Leave out a parameter to keep its '
            "default; the rule's parameters are listed below."
        ),
    )

    class Meta:
        model = RuleSetting
        fields = ("rule", "enabled", "params")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rule" in self.fields:  # read-only once the setting exists
            self.fields["rule"].choices = [(r.code, f"{r.code} {r.name}") for r in all_rules()]

    def clean_params(self) -> dict:
        params = self.cleaned_data.get("params") or {}
        if not isinstance(params, dict):
            raise forms.ValidationError(gettext('Give the parameters as {"name": value, …}.'))
        return params

    def clean(self):
        cleaned = super().clean()
        rule = get_rule(cleaned.get("rule") or self.instance.rule or "")
        params = cleaned.get("params")
        if rule is None or params is None:
            return cleaned
        parsed = {}
        for name, value in params.items():
            param = rule.params.get(name)
            if param is None:
                known = ", ".join(rule.params) or gettext("none")
                self.add_error(
                    "params",
                    gettext("%(rule)s has no parameter “%(name)s” (its parameters: %(known)s).")
                    % {"rule": rule.code, "name": name, "known": known},
                )
                continue
            try:
                parsed[name] = _jsonable(param.parse(value))
            except ValueError as exc:
                self.add_error(
                    "params",
                    gettext("%(name)s (%(label)s): %(reason)s")
                    % {"name": name, "label": param.label, "reason": exc},
                )
        if not self.has_error("params"):
            try:
                rule.parameters(parsed)  # the parameters together (yellow before red)
            except ValueError as exc:
                self.add_error("params", str(exc))
            else:
                cleaned["params"] = parsed
        return cleaned


@admin.register(RuleSetting)
class RuleSettingAdmin(HandlersMayLook, admin.ModelAdmin):
    """The rules' settings: city staff change them, other staff who handle warnings look."""

    form = RuleSettingForm
    list_display = ("rule", "rule_name", "enabled", "params")
    list_filter = ("enabled",)

    def get_fields(self, request, obj=None):
        return ("rule", "rule_name", "enabled", "params", "parameter_table")

    def get_readonly_fields(self, request, obj=None):
        readonly = ("rule_name", "parameter_table")
        return ("rule", *readonly) if obj is not None else readonly

    @admin.display(description=_("rule name"))
    def rule_name(self, setting: RuleSetting | None) -> str:
        rule = get_rule(setting.rule) if setting is not None else None
        return str(rule.name) if rule else "—"

    @admin.display(description=_("the rule's parameters"))
    def parameter_table(self, setting: RuleSetting | None) -> str:
        """Each parameter with what it means, its default and its range: the setting's rule,
        or every rule on a new setting."""
        rules = all_rules()
        if setting is not None and setting.rule:
            rules = [r for r in rules if r.code == setting.rule]
        rows = [(rule.code, *row) for rule in rules for row in _parameter_rows(rule)]
        if not rows:
            return "—"
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            gettext("rule"),
            gettext("parameter"),
            gettext("meaning"),
            gettext("default"),
            gettext("range"),
        )
        row = "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>"
        body = format_html_join("", row, rows)
        return format_html("<table>{}{}</table>", header, body)

    def has_add_permission(self, request):
        return sees_everything(request.user)

    def has_change_permission(self, request, obj=None):
        return sees_everything(request.user)

    def has_delete_permission(self, request, obj=None):
        return sees_everything(request.user)
