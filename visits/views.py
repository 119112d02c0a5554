"""Pages and downloads for visitors: where the education bases are, and the routes between them.

Filters are plain links (they work without JavaScript and can be shared in WeChat); a filter
value we do not understand is answered with a 400 that says which and still lists the sites.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import folium
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis import maps
from gis.gpx import CONTENT_TYPE as GPX_CONTENT_TYPE
from gis.gpx import route_gpx as gpx_document
from gis.http import conditional, make_etag
from gis.navigation import navigation_links
from registry import selectors
from registry.models import AdminUnit
from trail.selectors import data_version
from visits import selectors as visit_selectors
from visits import selectors as visitor_selectors
from visits.filtersets import SiteFilterSet, in_township
from visits.models import Route, Site

GEOJSON_CONTENT_TYPE = "application/geo+json"
POINT_PADDING = 0.005  # degrees around a lone site, about 500 m
ROUTE_COLOUR = "#b91c1c"

# Numbered stops: the number is a permanent label on the marker, the popup links to the site.
# Both are DOM nodes filled with textContent (Leaflet inserts strings as HTML), so a site's
# name cannot inject markup.
STOP_JS = """
function (feature, layer) {
    var p = feature.properties, link = document.createElement("a");
    link.href = p.url; link.textContent = p.order + ". " + p.name;
    link.className = "map-popup-title";
    layer.bindPopup(link);
    var number = document.createElement("span");
    number.textContent = String(p.order);
    layer.bindTooltip(number, {
        permanent: true, direction: "center", className: "stop-number", opacity: 1
    });
}
"""


@dataclass(frozen=True)
class FilterOption:
    label: str
    url: str
    active: bool
    count: int | None = None


def _list_url(kind: str | None, township: str | None) -> str:
    params = {k: v for k, v in (("kind", kind), ("township", township)) if v}
    query = urlencode(params)
    return reverse("visit:sites") + (f"?{query}" if query else "")


def _bounds(points: Iterable[Sequence[float]]) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the points, padded so one site is not a speck."""
    points = list(points)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (
        min(xs) - POINT_PADDING,
        min(ys) - POINT_PADDING,
        max(xs) + POINT_PADDING,
        max(ys) + POINT_PADDING,
    )


def _route_or_404(pk: int) -> Route:
    try:
        return visitor_selectors.route_record(pk)
    except Route.DoesNotExist as exc:
        raise Http404(_("No such route.")) from exc


def _filter_groups(
    kind: str | None, township: AdminUnit | None
) -> list[tuple[str, list[FilterOption]]]:
    """Links for each filter value, each keeping the other filter's current (valid) value.

    Counts are facets: a kind's count is within the chosen township and vice versa.
    """
    code = township.code if township else None
    in_place = in_township(Site.objects.all(), township) if township else Site.objects.all()
    counts = visitor_selectors.kind_counts(in_place)
    kinds = [FilterOption(_("All kinds"), _list_url(None, code), kind is None)] + [
        FilterOption(str(label), _list_url(value, code), kind == value, counts.get(value, 0))
        for value, label in Site.Kind.choices
    ]
    townships = [FilterOption(_("All townships"), _list_url(kind, None), code is None)] + [
        FilterOption(unit.name, _list_url(kind, unit.code), code == unit.code, unit.site_count)
        for unit in visitor_selectors.townships_with_sites(kind)
    ]
    return [(_("Kind of site"), kinds), (_("Township or subdistrict"), townships)]


@require_safe
def site_list(request: HttpRequest) -> HttpResponse:
    filterset = SiteFilterSet(request.GET, queryset=Site.objects.all())
    valid = filterset.is_valid()
    chosen = filterset.form.cleaned_data
    kind = chosen.get("kind") or None
    township = chosen.get("township")
    filtered = bool(kind or township)
    # Village outlines within a chosen township, township outlines across the city.
    outlines = township.children.all() if township else visitor_selectors.townships()

    features = visit_selectors.site_features(filterset.qs)
    routes = visitor_selectors.routes_stopping_at(filterset.qs if filtered else None)
    context = {
        "sites": list(visitor_selectors.site_list(filterset.qs)),
        "filtered": filtered,
        "errors": [
            f"{capfirst(filterset.form[name].label)}: {error}"
            for name, errors in filterset.errors.items()
            for error in errors
        ],
        # Facts need the drawn path; a route without one shows no length rather than
        # costing a query for its stops.
        "routes": [
            (route, visitor_selectors.route_facts(route) if route.path else None)
            for route in routes
        ],
        "map": maps.record_map(
            units=selectors.unit_features(outlines),
            sites=features,
            bounds=_bounds(f["geometry"]["coordinates"] for f in features["features"]),
            labels={
                "units": _("Boundaries"),
                "sites": _("Education and culture sites"),
            },
        ),
        "filter_groups": _filter_groups(kind, township),
    }
    return render(request, "visits/site_list.html", context, status=200 if valid else 400)


def route_map(route: Route) -> maps.RenderedMap:
    """The route's line under its numbered stops, fitted to the route."""
    coords = visitor_selectors.route_coordinates(route)
    m = maps.LocalMap(location=maps.RUIAN_CENTRE, zoom_start=11)
    folium.GeoJson(
        selectors.unit_features(visitor_selectors.stop_units(route)),
        style_function=lambda _f: maps.UNIT_STYLE,
        on_each_feature=folium.JsCode(maps.POPUP_JS),
        zoom_on_click=False,
    ).add_to(m)
    if len(coords) > 1:
        folium.PolyLine(
            [(lat, lon) for lon, lat in coords], color=ROUTE_COLOUR, weight=5, opacity=0.8
        ).add_to(m)
    stops = maps.feature_collection(visitor_selectors.stop_features(route))
    folium.GeoJson(
        stops,
        marker=folium.CircleMarker(radius=12, weight=2, fill=True),
        style_function=lambda _f: {
            "color": "#ffffff",
            "fillColor": ROUTE_COLOUR,
            "fillOpacity": 1,
            "weight": 2,
        },
        on_each_feature=folium.JsCode(STOP_JS),
        zoom_on_click=False,
    ).add_to(m)
    bounds = _bounds(coords + [f["geometry"]["coordinates"] for f in stops["features"]])
    if bounds:
        min_x, min_y, max_x, max_y = bounds
        fit = folium.FitBounds([[min_y, min_x], [max_y, max_x]])
        # Without this Leaflet animates from the initial zoom, and the first seconds on a
        # phone show the canvas scaled up: fat markers over a blurred line.
        fit.options["animate"] = False
        fit.add_to(m)
    return maps.render(m)


@require_safe
def route_detail(request: HttpRequest, pk: int) -> HttpResponse:
    route = _route_or_404(pk)
    stops = list(route.stops.all())
    first_stop = stops[0].site if stops else None
    context = {
        "route": route,
        "stops": stops,
        "first_stop": first_stop,
        "navigation": first_stop
        and navigation_links(first_stop.location.x, first_stop.location.y, first_stop.name),
        "facts": visitor_selectors.route_facts(route),
        "walking_kmh": visitor_selectors.walking_kmh(),
        "driving_kmh": visitor_selectors.driving_kmh(),
        "map": route_map(route),
    }
    return render(request, "visits/route_detail.html", context)


def _download(
    request: HttpRequest,
    pk: int,
    *,
    extension: str,
    content_type: str,
    body: Callable[[Route, Callable[[str], str]], bytes],
) -> HttpResponse:
    """A route file, cached until the public record changes (every write appends an event)."""

    def build() -> HttpResponse:
        route = _route_or_404(pk)
        response = HttpResponse(body(route, request.build_absolute_uri), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="qinglian-route-{route.pk}.{extension}"'
        )
        return response

    # The body carries absolute links and translated kinds: the host and language are part
    # of what the client holds.
    etag = make_etag("route", extension, pk, request.get_host(), get_language(), data_version())
    return conditional(request, etag, build)


def _gpx_body(route: Route, absolute: Callable[[str], str]) -> bytes:
    return gpx_document(
        name=route.name,
        description=route.description,
        url=absolute(reverse("visit:route-detail", args=[route.pk])),
        stops=visitor_selectors.route_gpx_points(route, absolute=absolute),
        path=visitor_selectors.route_coordinates(route),
    )


def _geojson_body(route: Route, absolute: Callable[[str], str]) -> bytes:
    data = visitor_selectors.route_geojson(route, absolute=absolute)
    return json.dumps(data, ensure_ascii=False).encode()


@require_safe
def route_gpx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, extension="gpx", content_type=GPX_CONTENT_TYPE, body=_gpx_body)


@require_safe
def route_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(
        request, pk, extension="geojson", content_type=GEOJSON_CONTENT_TYPE, body=_geojson_body
    )
