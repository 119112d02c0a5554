"""Vector tiles and the township asset map built on them.

Tiles are public and cacheable: each carries an ETag over the layer, the tile, the shift and
the head of the public event log, so a client or CDN revalidates with one index lookup.
Every bad request gets a 4xx with a reason; an empty tile is `204 No Content` (Leaflet.VectorGrid
and most tile caches treat it as "nothing here" without decoding a body).
"""

import re

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis import maps
from gis.basemaps import current_basemap
from gis.http import conditional, make_etag
from maps import selectors, tiles
from maps.legends import township_legend
from portal import selectors as portal_selectors
from projects.models import Project, Stage
from registry import selectors as registry_selectors
from registry.models import AdminUnit, Asset
from trail.selectors import data_version
from visits.models import Site

TOWNSHIP_CODE = re.compile(r"[0-9]{9}")


def _problem(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"detail": reason}, status=status)


@require_safe
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    spec = tiles.LAYERS.get(layer)
    if spec is None:
        return _problem(
            404,
            _("Unknown layer “%(layer)s”; the layers are %(layers)s.")
            % {"layer": layer, "layers": ", ".join(tiles.LAYERS)},
        )
    if not 0 <= z <= tiles.MAX_ZOOM:
        return _problem(
            404,
            _("There are no tiles at zoom %(z)d; zoom runs from 0 to %(max)d.")
            % {"z": z, "max": tiles.MAX_ZOOM},
        )
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        return _problem(
            400,
            _("Tile coordinates out of range: at zoom %(z)d, x and y run from 0 to %(max)d.")
            % {"z": z, "max": 2**z - 1},
        )
    shift = request.GET.get("shift", "")
    if shift and shift not in tiles.SHIFTS:
        return _problem(
            400,
            _("Unknown shift “%(shift)s”; the only one is %(shifts)s.")
            % {"shift": shift, "shifts": ", ".join(tiles.SHIFTS)},
        )
    where = tiles.Tile(z, x, y)

    def build() -> HttpResponse:
        data = tiles.build_tile(spec, where, shift=shift)
        return HttpResponse(data, status=200 if data else 204, content_type=tiles.CONTENT_TYPE)

    return conditional(request, make_etag("mvt", layer, z, x, y, shift, data_version()), build)


def _choices(choices: list[tuple[str, str]]) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _map_config(township: AdminUnit) -> dict:
    """What tile_map.js needs to write popups and search in the visitor's language."""
    return {
        "labels": {
            "kind": _choices(Asset.Kind.choices),
            "status": _choices(Asset.Status.choices),
            "landUse": _choices(Asset.LandUse.choices),
            "buildingUse": _choices(Asset.BuildingUse.choices),
            "stage": _choices(Stage.choices),
            "category": _choices(Project.Category.choices),
            "siteKind": _choices(Site.Kind.choices),
        },
        "text": {
            "area": _("Area"),
            "progress": _("Progress"),
            "searching": _("Searching…"),
            "none": _("Nothing with that name in this township."),
            "failed": _("The search did not answer. Check the connection and try again."),
            "assets": _("Asset"),
            "projects": _("Small project"),
            "sites": _("Education base or culture site"),
        },
        "recordUrls": {
            name: tiles.LAYERS[name].url_parts() for name in ("assets", "projects", "sites")
        },
        "search": {
            "layers": {
                "assets": reverse("asset-list"),
                "projects": reverse("project-list"),
                "sites": reverse("site-list"),
            },
            "township": township.code,
        },
    }


@require_safe
def township_map_list(request: HttpRequest) -> HttpResponse:
    townships = portal_selectors.townships()
    return render(request, "gis/township_map_list.html", {"townships": townships})


@require_safe
def township_map(request: HttpRequest, code: str) -> HttpResponse:
    township = None
    if TOWNSHIP_CODE.fullmatch(code):  # nothing else reaches the database (a NUL would 500)
        township = (
            AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP, code=code)
            .defer("boundary")
            .first()
        )
    if township is None:
        raise Http404(
            _("No township or subdistrict has the division code %(code)s.") % {"code": code}
        )
    basemap = current_basemap()
    shift = tiles.SHIFT_GCJ02 if basemap.is_shifted else ""
    extents = selectors.layer_extents(township)
    the_map = maps.tile_map(
        tile_urls={name: tiles.tile_url_template(name, shift) for name in extents},
        labels={
            "units": _("Boundaries"),
            "assets": _("Collective assets"),
            "routes": _("Visitor routes"),
            "projects": _("Small projects"),
            "sites": _("Education and culture sites"),
        },
        config=_map_config(township),
        bounds=registry_selectors.extent_of_villages(township),
        focus=township.code,
        basemap=basemap,
        layer_bounds=extents,
    )
    return render(
        request,
        "gis/township_map.html",
        {"township": township, "map": the_map, "legend": township_legend()},
    )
