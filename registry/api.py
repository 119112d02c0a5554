"""REST API of the record: public GeoJSON for everyone, writes for staff of the record's units.

Writes go through the services, so the API refuses exactly what the admin and commands refuse.
"""

from django.db import transaction
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from registry import services
from registry.filtersets import AssetFilterSet, ProjectFilterSet
from registry.models import AdminUnit, Asset, Cooperative, Project
from registry.scoping import in_scope


class Pagination(GeoJsonPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class VillageField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="code", queryset=AdminUnit.objects.filter(level="village"), **kwargs
        )


class AssetSerializer(GeoFeatureModelSerializer):
    village = VillageField()
    owner = serializers.PrimaryKeyRelatedField(queryset=Cooperative.objects.all())
    area_mu = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Asset
        geo_field = "geometry"
        fields = ("id", *Asset.PUBLIC_FIELDS, "area_mu")
        read_only_fields = ("area_m2",)


class ProjectSerializer(GeoFeatureModelSerializer):
    village = VillageField()

    class Meta:
        model = Project
        geo_field = "location"
        fields = ("id", *Project.PUBLIC_FIELDS)


class RecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.DjangoModelPermissionsOrAnonReadOnly]
    pagination_class = Pagination
    filter_backends = [InBBoxFilter, *viewsets.GenericViewSet.filter_backends]
    create_service = staticmethod(services.create_asset)
    update_service = staticmethod(services.update_asset)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.method in permissions.SAFE_METHODS:
            return qs
        return in_scope(self.request.user, qs, "village")

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


class AssetViewSet(RecordViewSet):
    queryset = Asset.objects.select_related("village", "owner").order_by("pk")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    bbox_filter_field = "geometry"
    bbox_filter_include_overlapping = True


class ProjectViewSet(RecordViewSet):
    queryset = Project.objects.select_related("village").order_by("pk")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    bbox_filter_field = "location"
    bbox_filter_include_overlapping = True
    create_service = staticmethod(services.create_project)
    update_service = staticmethod(services.update_project)
