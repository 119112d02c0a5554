"""REST API of the record: public GeoJSON layers for everyone, writes for staff of the record's
units (session or token), all through the services, so the API refuses exactly what the admin
and the commands refuse.

Anonymous list requests on PostGIS take a fast path: the database writes the GeoJSON and the
response carries an ETag. Staff see restricted fields only for records of their own units.
"""

import json
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ParseError
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gis.geojson import features_json, supports_sql_geojson
from gis.http import conditional, make_etag
from registry import services
from registry.api_support import CheckedBBoxFilter, ReadOrMayWrite
from registry.filtersets import AssetFilterSet, UnitFilterSet
from registry.models import AdminUnit, Asset, Cooperative
from registry.privacy import Scrubbed, is_free_text, scrub
from registry.roles import Task
from registry.scoping import covers, ensure_may
from trail.selectors import data_version

BBOX_PARAMETER = OpenApiParameter(
    "in_bbox",
    str,
    description="min lon, min lat, max lon, max lat (WGS84), e.g. 120.40,27.80,120.60,27.98",
)


class Pagination(GeoJsonPagination):
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


class VillageField(serializers.SlugRelatedField):
    """An admin unit by its division code."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs["queryset"] = AdminUnit.objects.all()
        super().__init__(slug_field="code", **kwargs)


class ScopedFieldsMixin:
    """Restricted fields appear only for staff of the record's units."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not covers(user, instance):
            values = data.get("properties", data)
            for name in self.Meta.restricted:
                values.pop(name, None)
            for name, value in values.items():
                if isinstance(value, str):
                    values[name] = scrub(value)
        return data


# A GeoJSON Feature in and out. Input that is not the shape it claims (a body that is no object,
# `properties` that is no object, `geometry` that is neither an object nor null) is a 400 naming
# the member, before DRF-GIS reads it (it would fail with a TypeError, a 500). No docstring:
# drf-spectacular would print it in the schema of every layer that has none of its own.
class FeatureSerializer(GeoFeatureModelSerializer):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("The body is a GeoJSON Feature: a JSON object.")]}
            )
        if "properties" in data and not isinstance(data["properties"], dict):
            raise serializers.ValidationError(
                {"properties": [_("A Feature's properties are a JSON object.")]}
            )
        geometry = data.get("geometry")
        if geometry is not None and not isinstance(geometry, dict):
            raise serializers.ValidationError(
                {"geometry": [_("A Feature's geometry is a GeoJSON geometry object or null.")]}
            )
        return super().to_internal_value(data)


class AssetSerializer(ScopedFieldsMixin, FeatureSerializer):
    village = VillageField()
    owner = serializers.PrimaryKeyRelatedField(queryset=Cooperative.objects.all())

    class Meta:
        model = Asset
        geo_field = "geometry"
        restricted = ("acquired_on", "book_value", "external_id")
        fields = ("id", *Asset.PUBLIC_FIELDS, *restricted)
        read_only_fields = ("area_m2",)


class UnitSerializer(FeatureSerializer):
    parent = VillageField(read_only=True)

    class Meta:
        model = AdminUnit
        geo_field = "boundary"
        fields = ("id", "name", "level", "code", "parent", "boundary")


MAX_PAGE = 1_000_000  # beyond every layer's last page; keeps OFFSET within a bigint


class LayerViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A public map layer: GeoJSON, bbox filter, pagination, ETag."""

    permission_classes = [ReadOrMayWrite]
    write_tasks = (Task.EDIT_RECORD,)
    pagination_class = Pagination
    filter_backends = [CheckedBBoxFilter, *viewsets.GenericViewSet.filter_backends]
    bbox_filter_include_overlapping = True
    # Output name -> field path, for the database-built GeoJSON of anonymous requests.
    sql_properties: dict[str, str] = {}
    sql_geojson = True

    def list(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return super().list(request, *args, **kwargs)
        etag = make_etag(type(self).__name__, request.get_full_path(), data_version())
        vary = ("Cookie", "Authorization")  # signed-in staff may see more of the same URL
        if self.sql_geojson and supports_sql_geojson():
            return conditional(request, etag, self._sql_collection, vary=vary)
        return conditional(
            request, etag, lambda: super(LayerViewSet, self).list(request), vary=vary
        )

    def _page_bounds(self) -> tuple[int, int]:
        paginator = self.pagination_class()
        try:
            size = int(self.request.query_params.get("page_size", paginator.page_size))
            page = int(self.request.query_params.get("page", 1))
        except ValueError as exc:
            raise ParseError("page and page_size must be whole numbers.") from exc
        if page < 1 or size < 1:
            raise ParseError("page and page_size start at 1.")
        if page > MAX_PAGE:
            raise ParseError(_("page runs up to %(max)d.") % {"max": MAX_PAGE})
        size = min(size, paginator.max_page_size)
        return (page - 1) * size, size

    def _link(self, page: int | None) -> str | None:
        if page is None:
            return None
        params = self.request.query_params.copy()
        params["page"] = page
        return self.request.build_absolute_uri(f"{self.request.path}?{urlencode(params)}")

    def _public_properties(self) -> dict:
        """The SQL properties, free text with ID-card and mobile numbers hidden by the database."""
        model = self.get_queryset().model
        fields = {f.name: f for f in model._meta.concrete_fields}
        return {
            name: Scrubbed(path) if path in fields and is_free_text(fields[path]) else path
            for name, path in self.sql_properties.items()
        }

    def _sql_collection(self) -> HttpResponse:
        offset, size = self._page_bounds()
        queryset = self.filter_queryset(self.get_queryset())
        features, more = features_json(
            queryset,
            geometry=self.bbox_filter_field,
            properties=self._public_properties(),
            offset=offset,
            limit=size,
        )
        page = offset // size + 1
        next_link = json.dumps(self._link(page + 1 if more else None))
        previous_link = json.dumps(self._link(page - 1 if page > 1 else None))
        body = (
            f'{{"type":"FeatureCollection","next":{next_link},'
            f'"previous":{previous_link},"features":{features}}}'
        )
        return HttpResponse(body, content_type="application/geo+json")


class WritableLayerViewSet(LayerViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Writes by those who may edit records (registry.roles), in their units (403 elsewhere),
    through the record's services."""

    create_service = staticmethod(services.create_asset)
    update_service = staticmethod(services.update_asset)
    unit_field = "village"  # the property naming the unit a new record goes to

    def create(self, request, *args, **kwargs):
        """A record for a unit outside the user's is refused (403) before its fields are read,
        so the answer is the same whatever else the request holds."""
        data = request.data if isinstance(request.data, dict) else {}
        properties = data.get("properties")
        code = (properties if isinstance(properties, dict) else data).get(self.unit_field)
        unit = AdminUnit.objects.filter(code=str(code)).first() if code else None
        if unit is not None:
            ensure_may(
                request.user, Task.EDIT_RECORD, self.queryset.model(**{self.unit_field: unit})
            )
        return super().create(request, *args, **kwargs)

    @transaction.atomic
    def perform_create(self, serializer):
        serializer.instance = self.create_service(
            actor=self.request.user, **serializer.validated_data
        )

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )


@extend_schema_view(list=extend_schema(parameters=[BBOX_PARAMETER]))
class AssetViewSet(WritableLayerViewSet):
    """Collective buildings, land parcels and facilities."""

    queryset = Asset.objects.select_related("village", "owner").order_by("pk")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    bbox_filter_field = "geometry"
    sql_properties = {
        "kind": "kind",
        "name": "name",
        "village": "village__code",
        "owner": "owner_id",
        "land_use": "land_use",
        "building_use": "building_use",
        "area_m2": "area_m2",
        "floor_area_m2": "floor_area_m2",
        "status": "status",
        "description": "description",
    }


@extend_schema_view(list=extend_schema(parameters=[BBOX_PARAMETER]))
class UnitViewSet(LayerViewSet):
    """The city, its townships and villages with their division codes and boundaries."""

    queryset = AdminUnit.objects.select_related("parent").order_by("code")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    bbox_filter_field = "boundary"
    sql_properties = {"name": "name", "level": "level", "code": "code", "parent": "parent__code"}
