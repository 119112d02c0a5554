"""The REST API of supervision: cases for staff, report submission and receipts for the public.

Villagers send reports without an account (`/api/supervision/reports/`) and follow them with
the receipt code (`/api/supervision/receipt/`, a POST so the code stays out of URLs and logs).
Staff who handle cases list and move the cases `services.may_handle` gives them. Everything
writes through `supervision.services`, so the API refuses exactly what the pages refuse.
"""

import uuid

import django_filters
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models as db
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, throttling, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from qr.codes import MalformedCode
from qr.selectors import UnknownCode, resolve
from registry.api import Pagination as FeaturePagination
from registry.api_support import Pagination, given
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import ensure_may
from supervision import ratelimit, receipts, services
from supervision.field_selectors import case_for, handled_cases
from supervision.filtersets import CaseFilterSet
from supervision.models import RESTING, Case, CaseState, Category, Station
from supervision.selectors import public_cases, with_public_place
from supervision.serializers import (
    CaseSerializer,
    CategorySerializer,
    MoveInput,
    PublicCaseFeatureSerializer,
    ReceiptInput,
    ReceiptStatusSerializer,
    ReportInput,
    StationSerializer,
    SubmittedSerializer,
)

# Errors, as the schema names them ------------------------------------------------------------

ERRORS_400 = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Each field in error, named, with its reasons."
)
ERROR_403 = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`: why you may not.")
ERROR_404 = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`: nothing here.")


# Reports ---------------------------------------------------------------------------------------


class ReportsThrottled(Throttled):
    """A refusal that already says when to try again (DRF would add the seconds as well)."""

    extra_detail_singular = extra_detail_plural = ""


class ReportThrottle(throttling.BaseThrottle):
    """The report form's limit (`supervision.ratelimit`: so many new reports an hour from one
    address, counted under a keyed hash of it and stored nowhere else). A resent form (its
    `client_uuid` made a case already) is always answered; only new cases count."""

    wait_seconds = 0

    def allow_request(self, request, view) -> bool:
        self.wait_seconds = ratelimit.over_limit(request)
        return not self.wait_seconds or _is_replay(request)

    def wait(self) -> float | None:
        return self.wait_seconds or None


def _is_replay(request) -> bool:
    data = request.data if hasattr(request.data, "get") else {}
    try:
        client_uuid = uuid.UUID(str(data.get("client_uuid", "")))
    except ValueError:
        return False
    return Case.objects.filter(submission=receipts.submission_hash(client_uuid)).exists()


def _village(code: str) -> AdminUnit | None:
    if not code:
        return None
    village = (
        AdminUnit.objects.filter(code=code, level=AdminUnit.Level.VILLAGE).defer("boundary").first()
    )
    if village is None:
        raise ValidationError({"village": [_("No village has this division code.")]})
    return village


def _subject(code: str):
    """The record an electronic ID names, and the ID's code."""
    if not code:
        return None, ""
    try:
        eid, subject = resolve(code)
    except (MalformedCode, UnknownCode) as exc:
        raise ValidationError(
            {"subject": [_("No record has this electronic ID; check the code on the plaque.")]}
        ) from exc
    return subject, eid.code


# Service field -> the API's input fields it is about.
INPUT_FIELDS = {"location": ("lon", "lat")}


def _named(exc: DjangoValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return ValidationError({"non_field_errors": exc.messages})
    detail: dict[str, list[str]] = {}
    for field, errors in exc.message_dict.items():
        for name in INPUT_FIELDS.get(field, (field,)):
            detail.setdefault(name, []).extend(errors)
    return ValidationError(detail)


class ReportViewSet(viewsets.GenericViewSet):
    """Villagers' reports (线索), without an account."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (ReportThrottle,)
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    serializer_class = ReportInput

    def throttled(self, request, wait):
        minutes = max(1, round((wait or 60) / 60))
        raise ReportsThrottled(
            wait,
            detail=ngettext(
                "Too many reports from this connection: at most %(n)d an hour. "
                "Try again in %(minutes)d minute, or call the village's liaison station.",
                "Too many reports from this connection: at most %(n)d an hour. "
                "Try again in %(minutes)d minutes, or call the village's liaison station.",
                minutes,
            )
            % {"n": settings.REPORT_LIMIT_PER_HOUR, "minutes": minutes},
        )

    @extend_schema(
        request={"application/json": ReportInput, "multipart/form-data": ReportInput},
        responses={
            201: SubmittedSerializer,
            200: OpenApiResponse(
                SubmittedSerializer, description="The form was sent before: the same receipt."
            ),
            400: ERRORS_400,
            429: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Too many new reports from one address (see Retry-After).",
            ),
        },
    )
    def create(self, request):
        """Send a report. The place is the record of `subject` (its electronic ID), else
        `village`, else the village holding `lon`/`lat`. Named and confidential reports need
        a phone or an e-mail address; an anonymous report keeps no contact, and nothing about
        the sender (address, browser, photo metadata) is stored. Keep the receipt: it is shown
        once, and sending the same `client_uuid` again shows it again."""
        data = given(ReportInput, request)
        subject, subject_code = _subject(data["subject"])
        location = None
        if data["lon"] is not None:
            location = Point(data["lon"], data["lat"], srid=4326)
        try:
            submitted = services.submit_report(
                client_uuid=data["client_uuid"],
                category=data["category"],
                text=data["text"],
                identity=data["identity"],
                village=_village(data["village"]),
                subject=subject,
                subject_code=subject_code,
                location=location,
                about_cadre=data["about_cadre"],
                contact={key: data[key] for key in ("name", "phone", "email")},
                photos=[upload.read() for upload in data["photos"]],
            )
        except DjangoValidationError as exc:
            raise _named(exc) from exc
        if submitted.created:
            ratelimit.count_report(request)
        body = SubmittedSerializer({"receipt": submitted.receipt, "case": submitted.case}).data
        return Response(
            body, status=status.HTTP_201_CREATED if submitted.created else status.HTTP_200_OK
        )


class ReceiptViewSet(viewsets.GenericViewSet):
    """A report followed with its receipt code."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    serializer_class = ReceiptInput

    @extend_schema(
        request=ReceiptInput,
        responses={
            200: ReceiptStatusSerializer,
            400: ERRORS_400,
            404: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No report has this code; the same answer for a mistyped code.",
            ),
        },
    )
    def create(self, request):
        """Where the report stands: its state, each state it passed with the date and the
        reason, and the messages between the handlers and the reporter."""
        code = given(ReceiptInput, request)["receipt"]
        case = services.case_for_receipt(code)
        if case is None:
            raise NotFound(_("No report has this receipt code. Check it and try again."))
        db.prefetch_related_objects([case], "states", "messages")
        return Response(ReceiptStatusSerializer(case).data)


# Cases for staff -------------------------------------------------------------------------------


class StaffCaseFilterSet(CaseFilterSet):
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="open and past the day it was to be closed by"
    )

    class Meta(CaseFilterSet.Meta):
        fields = [*CaseFilterSet.Meta.fields, "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(due_on__lt=timezone.localdate()) & ~Q(state__in=RESTING)
        return queryset.filter(late) if value else queryset.exclude(late)


class HandlesCases(permissions.BasePermission):
    """Staff whose role works villagers' reports; others get a 403 saying who does."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        ensure_may(request.user, Task.HANDLE_CASES)
        return True


def _detailed(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Everything the case serializer shows, in a fixed number of queries for a page."""
    return (
        cases.select_related("category", "village__station", "contact")
        .defer("village__boundary")
        .prefetch_related(
            "photos",
            Prefetch("states", CaseState.objects.select_related("actor")),
            "messages",
            "tasks",
        )
        .order_by("-created", "-pk")
    )


@extend_schema_view(
    list=extend_schema(responses={200: CaseSerializer(many=True), 403: ERROR_403}),
    retrieve=extend_schema(responses={200: CaseSerializer, 403: ERROR_403, 404: ERROR_404}),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases to work: for station members their villages' cases (not one naming them), for the
    township discipline office its township's, for city staff all."""

    serializer_class = CaseSerializer
    permission_classes = (HandlesCases,)
    pagination_class = Pagination
    filterset_class = StaffCaseFilterSet
    lookup_value_regex = "[0-9]{1,18}"
    queryset = Case.objects.none()  # for the schema; each user's cases come from below

    def get_queryset(self):
        return _detailed(handled_cases(self.request.user))

    def get_object(self) -> Case:
        """The case for someone who handles it; any other is not found, whether it exists
        or not (a member named in a report must not learn of it)."""
        case = case_for(self.request.user, self.kwargs["pk"])
        return _detailed(Case.objects).get(pk=case.pk)

    @extend_schema(
        request=MoveInput,
        responses={200: CaseSerializer, 400: ERRORS_400, 403: ERROR_403, 404: ERROR_404},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the case along one edge of its state machine. Ending or reopening something
        needs a `reason`; ordering rectification needs `rectify_who` and `rectify_by`; closing
        may set the `outcome` the public reads. A refused move is a 400 saying why."""
        case = case_for(request.user, pk)
        data = given(MoveInput, request)
        services.move(case, actor=request.user, **data)
        return Response(self.get_serializer(_detailed(Case.objects).get(pk=pk)).data)


# Public reads ----------------------------------------------------------------------------------


class PublicCaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Cases as the public sees them, as GeoJSON: category, village, state, deadline and what
    staff published. Never the text as sent, the reporter or who the report names."""

    permission_classes = (permissions.AllowAny,)
    serializer_class = PublicCaseFeatureSerializer
    pagination_class = FeaturePagination
    filterset_class = CaseFilterSet
    queryset = with_public_place(public_cases())


class StationFilterSet(django_filters.FilterSet):
    village = django_filters.CharFilter(field_name="village__code", label="village division code")
    township = django_filters.CharFilter(
        field_name="village__parent__code", label="township division code"
    )

    class Meta:
        model = Station
        fields = ["village", "township"]


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What a report can be about: the codes `POST /api/supervision/reports/` takes."""

    permission_classes = (permissions.AllowAny,)
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(active=True).order_by("position", "code")


class StationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The villages' supervision liaison stations: where to go and the office line."""

    permission_classes = (permissions.AllowAny,)
    serializer_class = StationSerializer
    pagination_class = Pagination
    queryset = (
        Station.objects.select_related("village")
        .only("name", "office_phone", "place", "office_hours", "village__code", "village__name")
        .order_by("village__code")
    )
    filterset_class = StationFilterSet


def register(router: DefaultRouter) -> None:
    """Add supervision's endpoints to the API's router."""
    router.register("supervision/reports", ReportViewSet, basename="supervision-report")
    router.register("supervision/receipt", ReceiptViewSet, basename="supervision-receipt")
    router.register("supervision/cases", CaseViewSet, basename="supervision-case")
    router.register(
        "supervision/public-cases", PublicCaseViewSet, basename="supervision-public-case"
    )
    router.register("supervision/stations", StationViewSet, basename="supervision-station")
    router.register("supervision/categories", CategoryViewSet, basename="supervision-category")
