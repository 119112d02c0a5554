"""Filters of the projects layer of the API."""

from projects.models import Project
from registry.filtersets import VillageRecordFilterSet


class ProjectFilterSet(VillageRecordFilterSet):
    class Meta:
        model = Project
        fields = ["stage", "category", "village", "township", "q"]
