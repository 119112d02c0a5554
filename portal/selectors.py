"""Reads for the pages that bring the domains together: counts across assets, projects and sites."""

from django.db.models import Count, QuerySet, Sum

from projects.models import Project
from registry.models import AdminUnit, Asset
from visits.models import Site


def townships() -> QuerySet[AdminUnit]:
    return (
        AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP)
        .annotate(
            village_count=Count("children", distinct=True),
            asset_count=Count("children__assets", distinct=True),
            project_count=Count("children__projects", distinct=True),
        )
        .order_by("code")
    )


def child_units(unit: AdminUnit) -> QuerySet[AdminUnit]:
    return unit.children.annotate(
        asset_count=Count("assets", distinct=True),
        project_count=Count("projects", distinct=True),
    ).order_by("code")


def totals() -> dict:
    projects = Project.objects.aggregate(
        count=Count("pk"), contract=Sum("contract_amount"), paid=Sum("paid_amount")
    )
    return {"assets": Asset.objects.count(), "projects": projects, "sites": Site.objects.count()}
