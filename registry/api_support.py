"""Pieces every write API of the registry shares: who may call, paging, and input parsing."""

import math

from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.filters import InBBoxFilter

from registry.scoping import ensure_may, may
from registry.text import fold


class ReadOrMayWrite(permissions.BasePermission):
    """Anyone reads; a write needs one of the view's `write_tasks` (registry.roles), first for
    the user's role, then on the record it is about, as registry.scoping.may decides. A refusal
    is a 403 naming the reason; the services ask the same question again before saving."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        self._ensure(request.user, view.write_tasks, None)
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        self._ensure(request.user, view.write_tasks, obj)
        return True

    @staticmethod
    def _ensure(user, tasks, record) -> None:
        if not any(may(user, task, record) for task in tasks):
            ensure_may(user, tasks[0], record)


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def given(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request's input, parsed and checked for form; the service checks the rules."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CheckedBBoxFilter(InBBoxFilter):
    """`in_bbox=min_lon,min_lat,max_lon,max_lat` in WGS84 degrees (the OGC API order).

    Refused with a 400 naming `in_bbox` and the reason: not four numbers, NaN or an infinity,
    a longitude outside -180..180 or a latitude outside -90..90, or a minimum above its
    maximum (the OGC reads a min_lon above max_lon as a box across the antimeridian; no Chinese
    place lies there, so it is refused, never answered with features outside the box).
    """

    def get_filter_bbox(self, request):
        text = request.query_params.get(self.bbox_param, None)
        if not text:
            return None
        try:
            numbers = [float(part) for part in fold(text).split(",")]
        except ValueError:
            numbers = []
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise ValidationError({self.bbox_param: [_(BBOX_FORM)]})
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise ValidationError({self.bbox_param: [_("A longitude runs from -180 to 180.")]})
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise ValidationError({self.bbox_param: [_("A latitude runs from -90 to 90.")]})
        if min_lon > max_lon or min_lat > max_lat:
            raise ValidationError(
                {self.bbox_param: [_("The minimum longitude and latitude come first (min ≤ max).")]}
            )
        return Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))


BBOX_FORM = gettext_noop("Four finite numbers: min_lon,min_lat,max_lon,max_lat (WGS84 degrees).")
