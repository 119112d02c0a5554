"""The sites and routes layers of the record's API (/api/sites/, /api/routes/)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from registry.api import (
    BBOX_PARAMETER,
    FeatureSerializer,
    LayerViewSet,
    VillageField,
    WritableLayerViewSet,
)
from visits import services as visit_services
from visits.filtersets import RouteFilterSet, SiteLayerFilterSet
from visits.models import Route, Site


class SiteSerializer(FeatureSerializer):
    unit = VillageField()

    class Meta:
        model = Site
        geo_field = "location"
        fields = ("id", *Site.PUBLIC_FIELDS)


class RouteSerializer(FeatureSerializer):
    unit = VillageField(read_only=True)
    stops = serializers.SerializerMethodField()

    class Meta:
        model = Route
        geo_field = "path"
        fields = ("id", "name", "description", "unit", "path", "stops")

    def get_stops(self, route: Route) -> list[dict]:
        return [
            {"order": stop.position, "site": stop.site_id, "name": stop.site.name}
            for stop in route.stops.all()
        ]


@extend_schema_view(list=extend_schema(parameters=[BBOX_PARAMETER]))
class SiteViewSet(WritableLayerViewSet):
    """Clean-governance education bases and culture sites."""

    queryset = Site.objects.select_related("unit").order_by("pk")
    serializer_class = SiteSerializer
    filterset_class = SiteLayerFilterSet
    bbox_filter_field = "location"
    unit_field = "unit"
    create_service = staticmethod(visit_services.create_site)
    update_service = staticmethod(visit_services.update_site)
    sql_properties = {
        name: ("unit__code" if name == "unit" else name)
        for name in Site.PUBLIC_FIELDS
        if name != "location"
    }


@extend_schema_view(list=extend_schema(parameters=[BBOX_PARAMETER]))
class RouteViewSet(LayerViewSet):
    """Visitor routes through sites, in order."""

    queryset = Route.objects.select_related("unit").prefetch_related("stops__site").order_by("pk")
    serializer_class = RouteSerializer
    filterset_class = RouteFilterSet
    bbox_filter_field = "path"
    sql_geojson = False  # a handful of routes, and their stops come from a prefetch
