"""The public API of village money: payment requests as anyone may read them (no draft; a
person paid named by family name only, no account or ID number), filtered as
`PaymentFilterSet` says. Writes go through the staff pages, which run the approval chain."""

from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from finance.filtersets import PaymentFilterSet
from finance.models import ApprovalStep, PaymentRequest
from registry.api_support import Pagination
from registry.privacy import scrub
from registry.roles import public_actor


class StepSerializer(serializers.ModelSerializer):
    decided_by = serializers.SerializerMethodField(help_text="Role and public display name.")

    class Meta:
        model = ApprovalStep
        fields = ["position", "label", "role", "decision", "decided_by", "decided_at", "reason"]

    def get_decided_by(self, step: ApprovalStep) -> str:
        return public_actor(step.decided_by) if step.decided_by_id else ""


class PaymentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    village = serializers.CharField(source="village.code", help_text="Division code.")
    payee = serializers.CharField(source="payee.public_name", help_text="A person: family name.")
    payee_kind = serializers.CharField(source="payee.kind")
    purpose = serializers.SerializerMethodField()
    power_item = serializers.IntegerField(source="power_item.number")
    steps = StepSerializer(many=True, read_only=True)
    url = serializers.CharField(source="get_public_url", read_only=True)

    class Meta:
        model = PaymentRequest
        fields = [
            "id",
            "reference",
            "number",
            "version",
            "village",
            "payee",
            "payee_kind",
            "amount",
            "purpose",
            "category",
            "power_item",
            "project",
            "project_stage",
            "state",
            "submitted_at",
            "approved_at",
            "paid_on",
            "bank_reference",
            "steps",
            "url",
        ]

    def get_purpose(self, request: PaymentRequest) -> str:
        return scrub(request.purpose)


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Payment requests once submitted, newest first (`/api/payments/`)."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    pagination_class = Pagination
    queryset = (
        PaymentRequest.objects.exclude(state=PaymentRequest.State.DRAFT)
        .select_related("village", "payee", "power_item")
        .prefetch_related("steps__decided_by__groups")
        .order_by("-created", "-pk")
    )


def register(router: DefaultRouter) -> None:
    router.register("payments", PaymentViewSet, basename="payment")
