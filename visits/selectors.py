"""Reads for the visitors' pages, each in a bounded number of queries whatever the data size."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse

from gis.geodesy import path_length
from gis.gpx import GpxPoint
from registry import selectors as registry_selectors
from registry.models import AdminUnit
from visits.models import Route, RouteStop, Site

COORDINATE_DECIMALS = 7  # about 1 cm, more than the data carry

# Admin boundaries are large multipolygons; a list of sites needs only the units' names.
UNIT_GEOMETRY = ("unit__boundary", "unit__parent__boundary")


def walking_kmh() -> float:
    return float(settings.VISIT_WALKING_KMH)


def driving_kmh() -> float:
    return float(settings.VISIT_DRIVING_KMH)


@dataclass(frozen=True)
class Duration:
    """Hours and minutes, because templates cannot divide and visitors do not think in 0.37 h."""

    hours: int
    minutes: int

    @classmethod
    def travelling(cls, metres: float, kmh: float) -> "Duration":
        hours, minutes = divmod(round(metres / 1000 / kmh * 60), 60)
        return cls(hours=hours, minutes=minutes)


@dataclass(frozen=True)
class RouteFacts:
    length_m: float
    walking: Duration
    driving: Duration

    @property
    def length_km(self) -> float:
        return self.length_m / 1000


def site_list(sites: QuerySet[Site]) -> QuerySet[Site]:
    """The listed sites with the unit names their cards show, in one query."""
    return sites.select_related("unit__parent").defer(*UNIT_GEOMETRY)


def townships_with_sites(kind: str | None = None) -> QuerySet[AdminUnit]:
    """Townships a visitor can filter by: those with a site of their own or in a village.

    `site_count` counts only sites of `kind` when given, so each link says what it will show.
    """
    own, in_villages = (
        ({"filter": Q(sites__kind=kind)}, {"filter": Q(children__sites__kind=kind)})
        if kind
        else ({}, {})
    )
    return (
        townships()
        .annotate(
            any_sites=Count("sites", distinct=True) + Count("children__sites", distinct=True),
            site_count=Count("sites", distinct=True, **own)
            + Count("children__sites", distinct=True, **in_villages),
        )
        .filter(any_sites__gt=0)
        .only("pk", "code", "name")
        .order_by("code")
    )


def townships() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP)


def stop_units(route: Route) -> QuerySet[AdminUnit]:
    """The units a route's stops lie in, one level below the route's own unit.

    Outlined under the route's map: without a basemap, dots on a blank map say nothing about
    where they are. A township's walk shows its villages, a city-wide drive its townships.
    """
    units = RouteStop.objects.filter(route=route).values("site__unit")
    if route.unit.level != AdminUnit.Level.CITY:
        return AdminUnit.objects.filter(pk__in=units)
    touched = AdminUnit.objects.filter(Q(pk__in=units) | Q(children__in=units)).values("pk")
    return townships().filter(pk__in=touched)


def kind_counts(sites: QuerySet[Site]) -> dict[str, int]:
    return dict(sites.values_list("kind").annotate(n=Count("pk")).order_by())


def routes_stopping_at(sites: QuerySet[Site] | None = None) -> QuerySet[Route]:
    """Routes with a stop among `sites` (all routes when None), with their stop counts."""
    routes = Route.objects.all()
    if sites is not None:
        stops = RouteStop.objects.filter(site__in=sites.values("pk"))
        routes = routes.filter(pk__in=stops.values("route"))
    return routes.annotate(stop_count=Count("stops")).order_by("name")


def route_record(pk: int) -> Route:
    """A route, its unit and its stops in order with their sites and villages, in two queries."""
    stops = (
        RouteStop.objects.select_related("site__unit")
        .defer("site__story", "site__unit__boundary")
        .order_by("position")
    )
    return (
        Route.objects.select_related("unit")
        .defer("unit__boundary")
        .prefetch_related(Prefetch("stops", queryset=stops))
        .get(pk=pk)
    )


def route_coordinates(route: Route) -> list[tuple[float, float]]:
    """The route's (lon, lat) vertices: its drawn path, or straight lines between its stops."""
    if route.path:
        return [(x, y) for x, y, *_ in route.path.coords]
    return [stop.site.location.coords for stop in route.stops.all()]


def route_facts(route: Route) -> RouteFacts:
    """Length on the WGS84 ellipsoid and travel times at the configured speeds."""
    metres = path_length(route_coordinates(route))
    return RouteFacts(
        length_m=metres,
        walking=Duration.travelling(metres, walking_kmh()),
        driving=Duration.travelling(metres, driving_kmh()),
    )


def _rounded(coords: Sequence[float]) -> list[float]:
    return [round(c, COORDINATE_DECIMALS) for c in coords[:2]]


def site_url(site: Site) -> str:
    return reverse("portal:site-detail", args=[site.pk])


def stop_features(route: Route, *, absolute: Callable[[str], str] = str) -> list[dict]:
    """One GeoJSON point per stop, in visiting order."""
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": _rounded(stop.site.location.coords)},
            "properties": {
                "order": stop.position,
                "name": stop.site.name,
                "kind": stop.site.kind,
                "kind_label": str(stop.site.get_kind_display()),
                "opening_hours": stop.site.opening_hours,
                "url": absolute(site_url(stop.site)),
            },
        }
        for stop in route.stops.all()
    ]


def route_geojson(route: Route, *, absolute: Callable[[str], str] = str) -> dict:
    """The route as GeoJSON: its path, then its stops in visiting order."""
    coords = route_coordinates(route)
    path = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [_rounded(c) for c in coords]},
        "properties": {
            "name": route.name,
            "length_m": round(path_length(coords), 3),
            "url": absolute(reverse("visit:route-detail", args=[route.pk])),
        },
    }
    return {
        "type": "FeatureCollection",
        "features": [path, *stop_features(route, absolute=absolute)],
    }


def route_gpx_points(route: Route, *, absolute: Callable[[str], str] = str) -> list[GpxPoint]:
    """The stops as GPX points, the opening hours in the description a phone app shows."""
    return [
        GpxPoint(
            lon=stop.site.location.x,
            lat=stop.site.location.y,
            name=f"{stop.position}. {stop.site.name}",
            description=stop.site.opening_hours,
            url=absolute(site_url(stop.site)),
            kind=str(stop.site.get_kind_display()),
        )
        for stop in route.stops.all()
    ]


def site_features(qs: QuerySet[Site]) -> dict:
    return registry_selectors.features(
        qs.defer("location", "story"),
        "location",
        6,
        lambda s: {
            "name": s.name,
            "label": s.get_kind_display(),
            "url": reverse("portal:site-detail", args=[s.pk]),
        },
    )


def site_record(pk: int) -> Site:
    return (
        Site.objects.select_related("unit__parent")
        .defer("unit__boundary", "unit__parent__boundary")
        .get(pk=pk)
    )


def routes_through(site: Site) -> QuerySet[Route]:
    """The routes that stop at `site`, each with its whole number of stops (`stop_count`).

    Counted in a subquery: counting over the join that finds the routes would count only the
    stops at this site (a route of six stops said "1 stop")."""
    all_stops = (
        RouteStop.objects.filter(route=OuterRef("pk"))
        .order_by()
        .values("route")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Route.objects.filter(pk__in=RouteStop.objects.filter(site=site).values("route"))
        .annotate(stop_count=Subquery(all_stops))
        .order_by("name")
    )
