"""What the township maps read besides tiles."""

from django.contrib.gis.db.models import Extent
from django.db.models import Q, QuerySet, Value

from projects.models import Project
from registry.models import AdminUnit, Asset
from visits.models import Route, Site

Bounds = tuple[float, float, float, float]


def layer_extents(township: AdminUnit) -> dict[str, Bounds]:
    """Where each tile layer has something to draw on a township's map, in one query.

    Assets, projects and sites: those of the township and its villages; routes: those that
    belong to it or stop in it, whole; boundaries: every unit, the frame around it. A layer with
    nothing of the township's is left out, so its map asks for none of its tiles.
    """
    own_units = Q(pk=township.pk) | Q(parent=township)
    units = AdminUnit.objects.filter(own_units)
    parts = [
        _extent("units", AdminUnit.objects.all(), "boundary"),
        _extent("assets", Asset.objects.filter(village__in=units), "geometry"),
        _extent("projects", Project.objects.filter(village__in=units), "location"),
        _extent("sites", Site.objects.filter(unit__in=units), "location"),
        _extent(
            "routes",
            Route.objects.filter(Q(unit__in=units) | Q(stops__site__unit__in=units)),
            "path",
        ),
    ]
    rows = parts[0].union(*parts[1:], all=True)
    return {row["layer"]: row["extent"] for row in rows if row["extent"]}


def _extent(layer: str, queryset: QuerySet, field: str) -> QuerySet:
    return queryset.order_by().values(layer=Value(layer)).annotate(extent=Extent(field))
