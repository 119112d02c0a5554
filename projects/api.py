"""REST API of the small-project procedure: every action of the staff screen, for programs.

Reads are public (the procedure is public; documents by kind, title, date and SHA-256, never
the file). Writes go through projects.procedure, so the API refuses exactly what the staff
screen refuses, with the rule named (400), or 403 for a user who may not act.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from projects import procedure
from projects import services as project_services
from projects.filtersets import ProjectFilterSet
from projects.models import Deliberation, Disclosure, Project, ProjectDocument, Stage
from registry.api import (
    BBOX_PARAMETER,
    FeatureSerializer,
    ScopedFieldsMixin,
    VillageField,
    WritableLayerViewSet,
)
from registry.api_support import Pagination, ReadOrMayWrite, given
from registry.privacy import scrub, scrub_all
from registry.roles import Task


class DeliberationSerializer(serializers.ModelSerializer):
    passed = serializers.BooleanField(read_only=True)
    quorate = serializers.BooleanField(read_only=True)
    public_summary = serializers.CharField(read_only=True)

    class Meta:
        model = Deliberation
        fields = (
            "id",
            "step",
            "held_on",
            "entitled",
            "present",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "public_summary",
            "quorate",
            "passed",
        )


class DisclosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disclosure
        fields = ("id", *Disclosure.PUBLIC_FIELDS)


class DocumentSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()

    class Meta:
        model = ProjectDocument
        fields = ("id", *ProjectDocument.PUBLIC_FIELDS)

    def get_title(self, document: ProjectDocument) -> str:
        return scrub(document.title)


class MissingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable key, e.g. document:contract")
    text = serializers.CharField()


class StageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    label = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["done", "current", "ahead"])


class ProcedureSerializer(serializers.ModelSerializer):
    """A project's procedure: where it stands, what it lacks, and its records."""

    timeline = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    next_stage = serializers.SerializerMethodField()
    complete = serializers.SerializerMethodField()
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    deliberations = DeliberationSerializer(many=True, read_only=True)
    disclosures = DisclosureSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    inspections = serializers.SerializerMethodField()
    over_guidance_reason = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = (
            "id",
            "name",
            "village",
            "stage",
            "timeline",
            "missing",
            "next_stage",
            "complete",
            "flags",
            "budget_price",
            "guidance_agency",
            "contracting_method",
            "contractor",
            "contract_amount",
            "contract_signed_on",
            "over_guidance_reason",
            "progress_percent",
            "inspections",
            "acceptance_passed",
            "acceptance_opinion",
            "settlement_amount",
            "audit_agency",
            "paid_amount",
            "deliberations",
            "disclosures",
            "documents",
        )

    @extend_schema_field(StageSerializer(many=True))
    def _missing(self, project: Project) -> list:
        if not hasattr(project, "_missing"):
            project._missing = procedure.missing_for(project)
        return project._missing

    def to_representation(self, project: Project) -> dict:
        """Every string the public reads, with ID-card and mobile numbers hidden."""
        return scrub_all(super().to_representation(project))

    def get_timeline(self, project: Project) -> list[dict]:
        return StageSerializer(procedure.timeline(project, self._missing(project)), many=True).data

    @extend_schema_field(MissingSerializer(many=True))
    def get_missing(self, project: Project) -> list[dict]:
        return MissingSerializer(self._missing(project), many=True).data

    def get_next_stage(self, project: Project) -> str | None:
        following = procedure.next_stage(project)
        return following.value if following else None

    def get_complete(self, project: Project) -> bool:
        return procedure.is_complete(project, self._missing(project))

    def get_inspections(self, project: Project) -> int:
        return procedure.inspection_count(project)

    def get_over_guidance_reason(self, project: Project) -> str:
        return scrub(project.over_guidance_reason)


class DeliberationInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=Deliberation.Step.choices)
    held_on = serializers.DateField()
    entitled = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    present = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    votes_for = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    votes_against = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None
    )
    votes_abstain = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class DisclosureInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Disclosure.Kind.choices)
    published_on = serializers.DateField()
    until = serializers.DateField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200)


class DocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProjectDocument.Kind.choices)
    title = serializers.CharField(max_length=200)
    issued_on = serializers.DateField()
    file = serializers.FileField(help_text="PDF, JPEG or PNG.")
    sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        required=False,
        allow_blank=True,
        default="",
        help_text="The SHA-256 you computed; a file that does not match it is refused.",
    )


class GuidanceInput(serializers.Serializer):
    budget_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    guidance_agency = serializers.CharField(max_length=150)


class ContractInput(serializers.Serializer):
    contracting_method = serializers.ChoiceField(choices=Project.Method.choices)
    contractor = serializers.CharField(max_length=150)
    contractor_contact = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    contract_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    contract_signed_on = serializers.DateField()
    over_guidance_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptanceInput(serializers.Serializer):
    passed = serializers.BooleanField()
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class SettlementInput(serializers.Serializer):
    settlement_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    audit_agency = serializers.CharField(max_length=150)


class AdvanceInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=Stage.choices)
    on = serializers.DateField()


class ProcedureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The small-project procedure (六个阶段): read by anyone; moved by township staff and
    bookkeepers of the project's village. Each POST returns the whole procedure as it now is.
    """

    queryset = (
        Project.objects.select_related("village")
        .prefetch_related("deliberations", "disclosures", "documents")
        .defer("village__boundary")
        .order_by("pk")
    )
    serializer_class = ProcedureSerializer
    permission_classes = [ReadOrMayWrite]
    pagination_class = Pagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @property
    def write_tasks(self) -> tuple[Task, ...]:
        """Field staff may open acceptance from the site (projects.procedure decides the rest)."""
        if self.action == "advance":
            return (Task.RUN_PROCEDURE, Task.OPEN_ACCEPTANCE_FROM_SITE)
        return (Task.RUN_PROCEDURE,)

    def get_queryset(self):
        return procedure.with_inspection_counts(super().get_queryset())

    def _target(self) -> Project:
        """The project an action is for: one plain read (the service locks and re-reads it)."""
        project = get_object_or_404(Project.objects.defer("location"), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, project)
        return project

    def _done(self, created: bool = False) -> Response:
        """The whole procedure as it now is, read once with everything it shows."""
        project = self.get_queryset().get(pk=self.kwargs["pk"])
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.get_serializer(project).data, status=code)

    @extend_schema(request=DeliberationInput, responses={201: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def deliberations(self, request, pk=None):
        """Record one of the five deliberations (五议), in order, with attendance and votes."""
        data = given(DeliberationInput, request)
        procedure.record_deliberation(self._target(), actor=request.user, **data)
        return self._done(created=True)

    @extend_schema(request=DisclosureInput, responses={201: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def disclosures(self, request, pk=None):
        """Record a disclosure (两公开): the resolution, or at the end the result of the work."""
        data = given(DisclosureInput, request)
        procedure.record_disclosure(self._target(), actor=request.user, **data)
        return self._done(created=True)

    @extend_schema(
        request={"multipart/form-data": DocumentInput}, responses={201: ProcedureSerializer}
    )
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        """Attach a document (PDF, JPEG, PNG); its SHA-256 goes into the public log."""
        data = given(DocumentInput, request)
        with transaction.atomic():
            procedure.attach_document(
                self._target(),
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                issued_on=data["issued_on"],
                upload=data["file"],
                expected_sha256=data["sha256"],
            )
        return self._done(created=True)

    @extend_schema(request=GuidanceInput, responses={200: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def guidance(self, request, pk=None):
        """The budget guidance price and the third-party agency that issued it."""
        data = given(GuidanceInput, request)
        procedure.set_guidance_price(self._target(), actor=request.user, **data)
        return self._done()

    @extend_schema(request=ContractInput, responses={200: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        """The contract; above the guidance price only with a reason (then flagged)."""
        data = given(ContractInput, request)
        procedure.record_contract(self._target(), actor=request.user, **data)
        return self._done()

    @extend_schema(request=AcceptanceInput, responses={200: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def acceptance(self, request, pk=None):
        """The completion acceptance result (竣工验收)."""
        data = given(AcceptanceInput, request)
        procedure.record_acceptance(self._target(), actor=request.user, **data)
        return self._done()

    @extend_schema(request=SettlementInput, responses={200: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def settlement(self, request, pk=None):
        """The audited settlement (竣工结算审计价); over the contract by more than the set
        percentage is flagged."""
        data = given(SettlementInput, request)
        procedure.record_settlement(self._target(), actor=request.user, **data)
        return self._done()

    @extend_schema(request=AdvanceInput, responses={200: ProcedureSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Open the next stage, when the current one has every record it needs."""
        data = given(AdvanceInput, request)
        procedure.advance(self._target(), actor=request.user, **data)
        return self._done()


def register(router) -> None:
    router.register("procedure", ProcedureViewSet, basename="procedure")


# The projects layer of the record's API (/api/projects/).
class ProjectSerializer(ScopedFieldsMixin, FeatureSerializer):
    village = VillageField()

    class Meta:
        model = Project
        geo_field = "location"
        restricted = ("contractor_contact",)
        fields = ("id", *Project.PUBLIC_FIELDS, *restricted)
        # Computed from the project's payment requests paid by bank transfer (finance).
        read_only_fields = ("paid_amount",)

    def validate(self, attrs: dict) -> dict:
        """A feature sent back as it was read keeps its "paid so far"; another value is refused
        with the reason rather than dropped without a word."""
        data = self.initial_data if isinstance(self.initial_data, dict) else {}
        given = data.get("properties") if isinstance(data.get("properties"), dict) else data
        if "paid_amount" in given:
            current = self.instance.paid_amount if self.instance is not None else Decimal(0)
            try:
                same = Decimal(str(given["paid_amount"])) == current
            except (InvalidOperation, ValueError):
                same = False
            if not same:
                raise serializers.ValidationError(
                    {
                        "paid_amount": [
                            _(
                                "“Paid so far” is the sum of the project's payment requests paid "
                                "by bank transfer; it changes only when a payment is recorded."
                            )
                        ]
                    }
                )
        return super().validate(attrs)


@extend_schema_view(list=extend_schema(parameters=[BBOX_PARAMETER]))
class ProjectViewSet(WritableLayerViewSet):
    """Small village works projects (≤ 200,000 yuan) and their stages."""

    queryset = Project.objects.select_related("village").order_by("pk")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    bbox_filter_field = "location"
    create_service = staticmethod(project_services.create_project)
    update_service = staticmethod(project_services.update_project)
    sql_properties = {
        name: ("village__code" if name == "village" else name)
        for name in Project.PUBLIC_FIELDS
        if name != "location"
    }
