"""The warnings API for staff (a session or a token): the warnings of their units, filtered as
the list page is (`AlertFilterSet`), and what they do with one, through the same services as
the pages: acknowledge, dismiss with a reason, record what was done, turn it into a case.

A user whose role does not handle warnings gets a 403 naming who does; a warning outside the
user's units is a 404; a refused step (no reason, a warning dismissed already) is a 400 with
the reason. Sending a step again is harmless: acknowledging or opening the case again answers
the warning as it is.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alerts import selectors, services
from alerts.filtersets import AlertFilterSet
from alerts.models import Alert
from alerts.serializers import ActionInput, AlertSerializer, CaseInput, DismissInput
from registry.api_support import Pagination, given
from registry.roles import Task
from registry.scoping import ensure_may

ERRORS_400 = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Each field in error (or `state`), with its reasons."
)
ERROR_403 = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`: who may.")
ERROR_404 = OpenApiResponse(
    OpenApiTypes.OBJECT, description="`detail`: no such warning in your units."
)


class HandlesWarnings(permissions.BasePermission):
    """Logged-in staff whose role handles warnings; others get a 403 saying who does."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        ensure_may(request.user, Task.HANDLE_WARNINGS)
        return True


def _step(summary: str, request=None, created: bool = False):
    responses = {
        200: AlertSerializer,
        400: ERRORS_400,
        403: ERROR_403,
        404: ERROR_404,
    }
    if created:
        responses[201] = OpenApiResponse(AlertSerializer, description="The case was opened now.")
        responses[200] = OpenApiResponse(
            AlertSerializer, description="The warning was a case already: the same case."
        )
    return extend_schema(summary=summary, request=request, responses=responses)


@extend_schema_view(
    list=extend_schema(
        summary="Warnings of your units",
        responses={200: AlertSerializer(many=True), 400: ERRORS_400, 403: ERROR_403},
    ),
    retrieve=extend_schema(
        summary="One warning",
        responses={200: AlertSerializer, 403: ERROR_403, 404: ERROR_404},
    ),
)
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Warnings (预警) in the user's units, red first then newest. Without `state`, those still
    to be dealt with (open, acknowledged, turned into a case); `state=all` for every state."""

    serializer_class = AlertSerializer
    permission_classes = (HandlesWarnings,)
    pagination_class = Pagination
    filterset_class = AlertFilterSet
    lookup_value_regex = "[0-9]{1,18}"
    queryset = Alert.objects.none()  # for the schema; each user's warnings come from below

    def get_queryset(self):
        return (
            selectors.alerts_for(self.request.user)
            .select_related("case")
            .prefetch_related(selectors.history_prefetch())
        )

    def filter_queryset(self, queryset):
        """The filters are the list's: one warning is found whatever its state."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, alert: Alert, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=alert.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @_step("Acknowledge: seen, and being looked into")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge an open warning. Acknowledged already: the same answer."""
        alert = self.get_object()
        services.acknowledge(alert, actor=request.user)
        return self._answer(alert)

    @_step("Dismiss with a reason", request=DismissInput)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Not a problem, and why: the reason goes to the public log with the warning."""
        alert = self.get_object()
        data = given(DismissInput, request)
        services.dismiss(alert, reason=data["reason"], actor=request.user)
        return self._answer(alert)

    @_step("Record what was done", request=ActionInput)
    @action(detail=True, methods=["post"], url_path="action")
    def record_action(self, request, pk=None):
        """What the station did about it (处置情况). A warning no longer in the data resolves."""
        alert = self.get_object()
        data = given(ActionInput, request)
        services.record_action(alert, text=data["action"], actor=request.user)
        return self._answer(alert)

    @_step("Turn into a supervision case", request=CaseInput, created=True)
    @action(detail=True, methods=["post"])
    def case(self, request, pk=None):
        """Open a case for the village's liaison station, with the rule's explanation and the
        evidence as its text. Asked again, the same case."""
        alert = self.get_object()
        data = given(CaseInput, request)
        had_case = alert.case_id is not None
        services.open_case(alert, actor=request.user, category=data.get("category"))
        return self._answer(alert, status.HTTP_200_OK if had_case else status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    """Add the warnings' endpoints to the API's router."""
    router.register("alerts", AlertViewSet, basename="alert")
