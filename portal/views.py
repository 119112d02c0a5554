"""Public pages of the record. Thin: selectors read, templates render."""

import re

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis.http import conditional, make_etag
from gis.maps import record_map
from gis.navigation import navigation_links
from leasing import selectors as lease_selectors
from portal import selectors as portal_selectors
from portal.places import GEOMETRY, place_picture, unit_id_of
from portal.summaries import spoken_summary
from projects import selectors as project_selectors
from projects.models import Project
from registry import selectors
from registry.http import HtmxHttpRequest
from registry.models import AdminUnit, Asset
from trail import selectors as trail_selectors
from trail.models import Event
from trail.presenters import event_views
from visits import selectors as visit_selectors
from visits.models import Site

ASSETS_PER_PAGE = 30
DIVISION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")
PLACE_MAX_AGE = 600  # s: a shared picture is re-checked (a 304 mostly) every ten minutes
POINT_PADDING = 0.0015  # degrees around a single point or building, about 150 m


def _map_labels() -> dict[str, str]:
    return {
        "units": _("Boundaries"),
        "assets": _("Collective assets"),
        "projects": _("Small projects"),
        "sites": _("Education and culture sites"),
    }


def _bounds(geom) -> tuple[float, float, float, float] | None:
    if geom is None:
        return None
    min_x, min_y, max_x, max_y = geom.extent
    pad = POINT_PADDING if (max_x - min_x) < POINT_PADDING else 0
    return (min_x - pad, min_y - pad, max_x + pad, max_y + pad)


def _largest_part(geom):
    """The mainland of a city with outlying islands (Beiji), so the first view is not mostly sea."""
    if geom is None or geom.geom_type != "MultiPolygon":
        return geom
    return max(geom, key=lambda polygon: polygon.area)


def _get_or_404(getter, key):
    try:
        return getter(key)
    except (
        AdminUnit.DoesNotExist,
        Asset.DoesNotExist,
        Project.DoesNotExist,
        Site.DoesNotExist,
    ) as exc:
        raise Http404(_("No such record.")) from exc


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    townships = list(portal_selectors.townships())
    city = AdminUnit.objects.filter(level=AdminUnit.Level.CITY).only("boundary").first()
    the_map = record_map(
        units=selectors.unit_features(AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP)),
        assets=selectors.asset_features(Asset.objects.all()),
        projects=project_selectors.project_features(Project.objects.all()),
        bounds=_bounds(_largest_part(city.boundary)) if city else None,
        labels=_map_labels(),
    )
    return render(
        request,
        "portal/home.html",
        {
            "townships": townships,
            "totals": portal_selectors.totals(),
            "map": the_map,
        },
    )


@require_safe
def unit_detail(request: HtmxHttpRequest, code: str) -> HttpResponse:
    if not DIVISION_CODE.fullmatch(code):
        raise Http404(_("A division code has 6, 9 or 12 digits."))
    unit = _get_or_404(selectors.unit_record, code)
    assets = selectors.assets_in(unit)
    page = Paginator(assets.order_by("kind", "name"), ASSETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"unit": unit, "asset_page": page}
    if request.htmx:
        return render(request, "portal/unit_detail.html#asset-rows", context)
    projects = project_selectors.projects_in(unit)
    outlines = AdminUnit.objects.filter(Q(pk=unit.pk) | Q(parent=unit))
    context |= {
        "children": portal_selectors.child_units(unit),
        "projects": projects,
        "map": record_map(
            units=selectors.unit_features(outlines),
            assets=selectors.asset_features(assets),
            projects=project_selectors.project_features(projects),
            bounds=selectors.extent_of_villages(unit),
            labels=_map_labels(),
        ),
    }
    return render(request, "portal/unit_detail.html", context)


def wants_interactive_map(request: HttpRequest) -> bool:
    """A record page draws its place as a small picture; `?map=1` asks for the Leaflet map."""
    return request.GET.get("map") == "1"


def _interactive_map(record: Asset | Project | Site):
    """The record on a Leaflet map with its village's outline and the assets around it."""
    model = type(record)
    unit_id = unit_id_of(record)
    layers = {"assets": selectors.asset_features(Asset.objects.filter(village_id=unit_id))}
    if model is Project:
        layers["projects"] = project_selectors.project_features(
            Project.objects.filter(pk=record.pk)
        )
    if model is Site:
        layers["sites"] = visit_selectors.site_features(Site.objects.filter(pk=record.pk))
    return record_map(
        units=selectors.unit_features(AdminUnit.objects.filter(pk=unit_id)),
        **layers,
        bounds=_bounds(getattr(record, GEOMETRY[model])),
        labels=_map_labels(),
        zoom=16,
    )


def record_context(record: Asset | Project | Site, *, interactive: bool = False) -> dict:
    """What a public record page shows of an asset, a project or a site, whichever URL reached
    it. Its place is a picture (`place_map`) unless `interactive` asks for the Leaflet map."""
    model = type(record)
    context = {
        "record": record,
        model._meta.model_name: record,
        "events": event_views(trail_selectors.event_history(record), model),
        "place_kind": model._meta.model_name,
        "has_place": getattr(record, GEOMETRY[model]) is not None,
    }
    if interactive:
        context["map"] = _interactive_map(record)
    if model is Asset:
        context["lease"] = lease_selectors.current_lease(record)
        context["leasing"] = lease_selectors.asset_leasing(record)
    if model is Project:
        context |= project_selectors.procedure_records(record)
    if model is Site:
        context["routes"] = visit_selectors.routes_through(record)
        context["navigation"] = navigation_links(record.location.x, record.location.y, record.name)
    context["spoken"] = spoken_summary(record, lease=context.get("lease"))
    context["share"] = {"title": record.name, "description": context["spoken"]}
    return context


@require_safe
def asset_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    asset = _get_or_404(selectors.asset_record, pk)
    context = record_context(asset, interactive=wants_interactive_map(request))
    return render(request, "portal/asset_detail.html", context)


@require_safe
def site_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    site = _get_or_404(visit_selectors.site_record, pk)
    context = record_context(site, interactive=wants_interactive_map(request))
    return render(request, "portal/site_detail.html", context)


@require_safe
def project_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = _get_or_404(project_selectors.project_record, pk)
    context = record_context(project, interactive=wants_interactive_map(request))
    return render(request, "portal/project_detail.html", context)


PLACE_RECORDS = {
    "asset": selectors.asset_record,
    "project": project_selectors.project_record,
    "site": visit_selectors.site_record,
}


@require_safe
def place_map(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The SVG picture of a record's place (image/svg+xml, about 2–8 KB): public, cacheable,
    tagged with the log's head so a change to any record is seen at the next look."""
    if kind not in PLACE_RECORDS:
        raise Http404(_("No such record."))
    record = _get_or_404(PLACE_RECORDS[kind], pk)
    version = trail_selectors.data_version()

    def build() -> HttpResponse:
        try:
            svg = place_picture(record, version=version)
        except ValueError as exc:
            raise Http404(_("This record has no place on the map.")) from exc
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")

    etag = make_etag("place", kind, pk, version, get_language())
    return conditional(request, etag, build, max_age=PLACE_MAX_AGE, vary=("Accept-Language",))


LOG_EVENTS_PER_PAGE = 50
LOG_SUBJECTS = {
    "asset",
    "project",
    "site",
    "lease",
    "leasepayment",
    "route",
    "adminunit",
    "case",
    "alert",
    "paymentrequest",
    "receipt",
    "monthlydisclosure",
}


@require_safe
def log(request: HttpRequest) -> HttpResponse:
    """The public log as people read it: newest first, each change with the record's name
    linked to its page, who acted by role, values in the page's language."""
    events = (
        Event.objects.select_related("subject_type", "unit", "actor")
        .prefetch_related("actor__groups")
        .order_by("-seq")
    )
    village = request.GET.get("village", "")
    if village:
        events = events.filter(unit__code=village)
    kind = request.GET.get("subject", "")
    if kind in LOG_SUBJECTS:
        events = events.filter(subject_type__model=kind)
    page = Paginator(events, LOG_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    villages = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).only("code", "name")
    context = {
        "page": page,
        "items": portal_selectors.log_items(page.object_list),
        "villages": villages,
        "village": village,
        "subject": kind,
    }
    return render(request, "portal/log.html", context)
