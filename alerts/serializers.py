"""What the warnings API reads and writes. Staff of the warning's units see it whole: the
rule, its explanation in the reader's language, the numbers, the evidence with links, and its
history with who acted as the public log names them (role and display name, never a login)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts import selectors, services
from alerts.models import Alert, AlertChange
from registry.roles import public_actor
from supervision.models import Category


class EvidenceSerializer(serializers.Serializer):
    """One record a warning points to (Alert.evidence), as stored when it was last found."""

    model = serializers.CharField(help_text=_('The record\'s model, "app.model".'))
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_("The kind of record, in the server's language."))
    name = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text=_("Its page, if it has one."))
    note = serializers.CharField(allow_blank=True, help_text=_("What it shows (a number, a date)."))


class CaseRefSerializer(serializers.Serializer):
    """The supervision case a warning was turned into."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()


class ChangeSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(help_text=_("Who, as the public log names them."))

    class Meta:
        model = AlertChange
        fields = ("kind", "level", "at", "by", "note")

    def get_by(self, change: AlertChange) -> str:
        return public_actor(change.actor)


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(read_only=True)
    explanation = serializers.CharField(read_only=True)
    unit = serializers.CharField(source="unit.code", help_text=_("Division code of the unit."))
    unit_name = serializers.CharField(source="unit.name")
    subject_url = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    awaiting_action = serializers.BooleanField(
        read_only=True,
        help_text=_("No longer in the data, but it has been red: the station's record is due."),
    )
    case = CaseRefSerializer(read_only=True, allow_null=True, help_text=_("Its case, if any."))
    changes = ChangeSerializer(many=True, read_only=True)
    page = serializers.HyperlinkedIdentityField(view_name="alerts:alert-detail")

    class Meta:
        model = Alert
        fields = (
            "id",
            "rule",
            "rule_name",
            "level",
            "state",
            "unit",
            "unit_name",
            "subject_label",
            "subject_url",
            "explanation",
            "numbers",
            "evidence",
            "holds",
            "reached_red",
            "awaiting_action",
            "raised_at",
            "seen_at",
            "acknowledged_at",
            "action",
            "action_at",
            "dismiss_reason",
            "resolved_at",
            "case",
            "changes",
            "page",
        )

    def get_subject_url(self, alert: Alert) -> str:
        return selectors.subject_url(alert)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, alert: Alert) -> list:
        return alert.evidence if isinstance(alert.evidence, list) else []


class DismissInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX,
        help_text=_("Why it is not a problem; shown in the public log (no personal names)."),
    )


class ActionInput(serializers.Serializer):
    action = serializers.CharField(
        max_length=services.REASON_MAX, help_text=_("What the station or the village did.")
    )


class CaseInput(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text=_("A report category's code; by default the one the rule suggests."),
    )
