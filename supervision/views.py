"""The public side of supervision: a villager's report, its receipt, following it with the receipt,
the stations, the public cases and their counts; and supervision's panels on other apps' pages.

A reporter leaves nothing here that identifies them: these views read the client's address only
through `ratelimit` (a keyed hash in the cache), log nothing about a request (not even Django's
"Bad Request" line), and the receipt code never appears in a URL; the pages that show it are
never stored by a browser or a proxy (`no-store`).
"""

import datetime as dt
import uuid
from dataclasses import dataclass

import folium
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from fieldapp import photos as photo_pipeline
from gis import spreadsheets
from gis.basemaps import current_basemap
from gis.maps import POPUP_JS, RUIAN_CENTRE, LocalMap, bounds_to_gcj02, to_gcj02
from gis.maps import render as render_map
from qr import selectors as qr_selectors
from qr import views as qr_views
from registry import selectors as registry_selectors
from registry.http import HtmxHttpRequest, filter_chips, filter_errors, paged
from registry.models import AdminUnit
from registry.text import fold
from supervision import deadlines, ratelimit, receipts, selectors, services
from supervision.filtersets import CaseFilterSet
from supervision.forms import (
    DiscloseForm,
    ReceiptForm,
    ReopenForm,
    ReporterMessageForm,
    ReportForm,
)
from supervision.models import Case, Category, State, Station

# Three phone photos as large as the photo pipeline takes, and the text. The form's script
# shrinks photos on the phone first, so this is reached only without JavaScript.
MAX_BODY = services.MAX_PHOTOS * photo_pipeline.MAX_BYTES + 1024 * 1024
CASES_PER_PAGE = 20
STATE_COLOURS = {
    State.RECEIVED: "#64748b",
    State.ACCEPTED: "#0891b2",
    State.VERIFYING: "#2563eb",
    State.FOUND: "#d97706",
    State.ORDERED: "#ea580c",
    State.RECTIFIED: "#16a34a",
    State.CLOSED: "#15803d",
    State.NOT_FOUND: "#94a3b8",
    State.DECLINED: "#9ca3af",
    State.REOPEN_ASKED: "#b91c1c",
    State.MERGED: "#cbd5e1",
}


def _quiet(response: HttpResponse) -> HttpResponse:
    """Django logs every 4xx answer with its request; these answers stay out of the logs."""
    response._has_been_logged = True
    return response


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _refusal(
    request: HttpRequest, status: int, title: str, text: str, *, station: Station | None = None
) -> HttpResponse:
    """A refusal page: what happened, the way back, and the station to call if there is one."""
    context = {"title": title, "text": text, "station": station, "back": status in (413, 429)}
    response = render(request, "supervision/refused.html", context, status=status)
    return _quiet(_no_store(response))


def _too_big(request: HttpRequest) -> HttpResponse | None:
    """A body over MAX_BODY is refused before it is read (so before CSRF reads the form)."""
    if request.method != "POST":
        return None
    try:
        length = int(request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    if length <= MAX_BODY:
        return None
    return _refusal(
        request,
        413,
        _("Too much to send"),
        _("The photos are too large together (at most %(mb)s MB). Send fewer or smaller photos.")
        % {"mb": MAX_BODY // 1024 // 1024},
    )


def limited_response(
    request: HttpRequest, wait: int, station: Station | None = None
) -> HttpResponse:
    response = _refusal(
        request,
        429,
        _("Too many reports"),
        _(
            "Many reports were sent from your connection in the last hour. Please try again "
            "in %(minutes)s minutes, or call or visit the liaison station."
        )
        % {"minutes": max(1, (wait + 59) // 60)},
        station=station,
    )
    response["Retry-After"] = str(wait)
    return response


# Reporting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the page after sending shows: the code once, the state, when, and who."""

    code: str
    state: str
    due_on: dt.date
    route: str
    village: AdminUnit | None
    station: Station | None


def receipt_page(request: HttpRequest, receipt: Receipt) -> HttpResponse:
    return _no_store(render(request, "supervision/receipt_shown.html", {"receipt": receipt}))


def submitted_receipt(submitted: services.Submitted) -> Receipt:
    case = submitted.case
    station = selectors.station_of(case.village)
    return Receipt(
        code=submitted.receipt,
        state=case.get_state_display(),
        due_on=case.due_on,
        route=case.get_route_display(),
        village=case.village,
        station=station if case.route == Case.Route.STATION else None,
    )


def pretend_receipt(form: ReportForm, village: AdminUnit | None) -> Receipt:
    """What a filled honeypot gets: a receipt that looks real, and nothing stored."""
    try:
        client_uuid = uuid.UUID(str(form.data.get("client_uuid", "")))
    except ValueError:
        client_uuid = uuid.uuid4()
    category = Category.objects.filter(active=True, pk=form.data.get("category") or 0).first()
    days, working = (category.days_allowed, category.working_days) if category else (15, True)
    village = village or form._posted_village()
    station = selectors.station_of(village)
    return Receipt(
        code=receipts.receipt_for(client_uuid),
        state=State.RECEIVED.label,
        due_on=deadlines.add_days(timezone.localdate(), days, working=working),
        route=(Case.Route.STATION if station else Case.Route.TOWNSHIP).label,
        village=village,
        station=station,
    )


def _pick_map() -> object:
    """The small map a reporter taps to say where: township outlines on the basemap."""
    townships = AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP)
    city = AdminUnit.objects.filter(level=AdminUnit.Level.CITY).defer("boundary").first()
    return _map(
        units=registry_selectors.unit_features(townships),
        bounds=registry_selectors.extent_of_villages(city) if city else None,
        tappable=False,
    )


def _report_form_page(request, form: ReportForm, context: dict, *, status: int = 200):
    context = context | {
        "photos_dropped": status >= 400 and bool(request.FILES.getlist("photos")),
        "form": form,
        "max_photos": services.MAX_PHOTOS,
        "text_max": services.TEXT_MAX,
    }
    if "village" in form.fields:
        context["map"] = _pick_map()
    response = render(request, "supervision/report_form.html", context, status=status)
    # The form carries its own submission id: no cache may hand it to a second reporter.
    return _quiet(_no_store(response)) if status >= 400 else _no_store(response)


@csrf_protect
def _report(
    request: HttpRequest,
    *,
    village: AdminUnit | None = None,
    subject=None,
    eid=None,
) -> HttpResponse:
    context = {"village": village, "subject": subject, "eid": eid}
    context["station"] = selectors.station_of(village or _unit_of(subject))
    context["nearby"] = selectors.nearby_reports(
        village or _unit_of(subject), eid.code if eid is not None else ""
    )
    if request.method != "POST":
        form = ReportForm(fixed_village=village, subject=subject is not None)
        return _report_form_page(request, form, context)
    wait = ratelimit.over_limit(request)
    if wait:
        return limited_response(request, wait, context["station"])
    form = ReportForm(request.POST, fixed_village=village, subject=subject is not None)
    if form.spam:
        ratelimit.count_report(request)
        return receipt_page(request, pretend_receipt(form, village))
    if not form.is_valid():
        return _report_form_page(request, form, context, status=400)
    data = form.cleaned_data
    location = _place_of(subject)
    if data.get("lat") is not None:
        location = Point(data["lon"], data["lat"], srid=4326)
    member = _member(village or _unit_of(subject) or data.get("village"), data.get("about_member"))
    try:
        submitted = services.submit_report(
            client_uuid=data["client_uuid"],
            category=data["category"],
            text=data["text"],
            identity=data["identity"],
            village=village or data.get("village"),
            subject=subject,
            subject_code=eid.code if eid is not None else "",
            location=location,
            about_cadre=data["about_cadre"] or member is not None,
            about_member=member,
            contact={k: data[k] for k in ("name", "phone", "email")},
            photos=[upload.read() for upload in request.FILES.getlist("photos")],
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _report_form_page(request, form, context, status=400)
    if submitted.created:
        ratelimit.count_report(request)
    return receipt_page(request, submitted_receipt(submitted))


def _member(village: AdminUnit | None, pk: int | None):
    if village is None or not pk:
        return None
    return next((u for u in services.station_members(village) if u.pk == pk), None)


def _place_of(subject) -> Point | None:
    """Where a plaque's record is: its point, or a point on its outline."""
    geometry = getattr(subject, "geometry", None) or getattr(subject, "location", None)
    if geometry is None:
        return None
    return geometry if geometry.geom_type == "Point" else geometry.point_on_surface


def _unit_of(subject) -> AdminUnit | None:
    if subject is None:
        return None
    return getattr(subject, "village", None) or getattr(subject, "unit", None)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """A report about a village (?village= or ?station= with its division code) or a place."""
    refused = _too_big(request)
    if refused:
        return refused
    code = fold(request.GET.get("village") or request.GET.get("station") or "")
    village = None
    if code:
        village = (
            AdminUnit.objects.filter(code=code, level=AdminUnit.Level.VILLAGE)
            .defer("boundary")
            .select_related("parent")
            .first()
        )
        if village is None:
            return _refusal(
                request, 404, _("No such village"), _("No village has the division code given.")
            )
    return _report(request, village=village)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report_subject(request: HttpRequest, code: str) -> HttpResponse:
    """A report about the record a plaque names: the same friendly page as the plaque's for
    a mistyped or unknown code."""
    refused = _too_big(request)
    if refused:
        return refused
    found, problem = qr_views.resolve_or_problem(request, code)
    if problem:
        return _quiet(problem)
    eid, subject = found
    if request.method != "POST" and code != eid.code:
        return redirect("supervision:report-subject", code=eid.code, permanent=True)
    return _report(request, subject=subject, eid=eid, village=None)


# Following a report with its receipt --------------------------------------------------------


def _grouped(code: str) -> str:
    compact = receipts.compact(code)
    return "-".join(compact[i : i + receipts.GROUP] for i in range(0, len(compact), receipts.GROUP))


def _unknown_receipt(request: HttpRequest) -> HttpResponse:
    """One answer for every code that opens nothing: unknown, mistyped, empty, too long."""
    context = {"form": ReceiptForm(), "unknown": True}
    return _quiet(
        _no_store(render(request, "supervision/receipt_lookup.html", context, status=404))
    )


@require_http_methods(["GET", "HEAD", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _no_store(
            render(request, "supervision/receipt_lookup.html", {"form": ReceiptForm()})
        )
    typed = str(request.POST.get("receipt", ""))[:80]
    case = services.case_for_receipt(typed)
    if case is None:
        return _unknown_receipt(request)
    action = request.POST.get("action")
    modes = services.disclosures_open(case)
    message_form = ReporterMessageForm(request.POST if action == "message" else None)
    reopen_form = ReopenForm(request.POST if action == "reopen" else None)
    disclose_form = DiscloseForm(request.POST if action == "disclose" else None, modes=modes)
    forms_by_action = {"message": message_form, "reopen": reopen_form, "disclose": disclose_form}
    status, done = 200, ""
    try:
        if action == "message" and message_form.is_valid():
            services.reporter_message(
                case,
                text=message_form.cleaned_data["text"],
                client_uuid=message_form.cleaned_data["client_uuid"],
            )
            message_form, done = ReporterMessageForm(), _("Thank you: your message was added.")
        elif action == "reopen" and reopen_form.is_valid():
            if case.state != State.REOPEN_ASKED:  # a resent form finds it asked already
                case = services.reporter_reopen(case, reason=reopen_form.cleaned_data["reason"])
            reopen_form, done = ReopenForm(), _("Your request to look at it again was sent.")
        elif action == "disclose" and disclose_form.is_valid():
            data = disclose_form.cleaned_data
            case = services.reporter_disclose(
                case,
                identity=data["identity"],
                contact={k: data[k] for k in ("name", "phone", "email")},
            )
            modes = services.disclosures_open(case)
            disclose_form = DiscloseForm(modes=modes)
            done = _("Thank you: the station can now reach you as you chose.")
        elif action in forms_by_action:
            status = 400
    except ValidationError as exc:
        form = forms_by_action.get(action, message_form)
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else next(iter(form.fields)), message)
        status = 400
    context = {
        "case": case,
        "code": _grouped(typed),
        "history": selectors.reporter_history(case),
        "messages_": selectors.reporter_messages(case),
        "message_form": message_form,
        "reopen_form": reopen_form,
        "disclose_form": disclose_form if modes else None,
        "may_reopen": State.REOPEN_ASKED in services.next_states(case, by_reporter=True),
        "station": selectors.station_of(case.village),
        "done": done,
    }
    response = render(request, "supervision/receipt_status.html", context, status=status)
    return _quiet(_no_store(response)) if status >= 400 else _no_store(response)


# Stations and public cases ------------------------------------------------------------------


def _map(*, units: dict | None = None, cases: dict | None = None, bounds=None, tappable=True):
    """A light Leaflet map (folium, our static files): unit outlines and cases by state.
    Outlines that are not `tappable` let a tap through to the map (the report form's)."""
    basemap = current_basemap()
    if basemap.is_shifted:
        units, cases = to_gcj02(units), to_gcj02(cases)
        bounds = bounds and bounds_to_gcj02(bounds)
    the_map = LocalMap(location=RUIAN_CENTRE, zoom_start=10, basemap=basemap)
    if units and units["features"]:
        folium.GeoJson(
            units,
            name=_("Boundaries"),
            style_function=lambda _f: {
                "color": "#475569",
                "weight": 1.2,
                "fillColor": "#e2e8f0",
                "fillOpacity": 0.2,
                "interactive": tappable,
            },
            on_each_feature=folium.JsCode(POPUP_JS) if tappable else None,
            zoom_on_click=False,
        ).add_to(the_map)
    if cases and cases["features"]:
        folium.GeoJson(
            cases,
            name=_("Cases"),
            style_function=lambda f: {
                "color": "#ffffff",
                "fillColor": STATE_COLOURS.get(f["properties"]["state"], "#334155"),
                "weight": 2,
                "fillOpacity": 0.95,
            },
            marker=folium.CircleMarker(radius=7, weight=2, fill=True, fill_opacity=0.95),
            on_each_feature=folium.JsCode(POPUP_JS),
            zoom_on_click=False,
        ).add_to(the_map)
    if bounds:
        min_x, min_y, max_x, max_y = bounds
        the_map.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return render_map(the_map)


def _scope_map(cases, township: AdminUnit | None, village: AdminUnit | None):
    if village is not None:
        outlines = AdminUnit.objects.filter(pk=village.pk)
        scope = village
    elif township is not None:
        outlines = AdminUnit.objects.filter(parent=township, level=AdminUnit.Level.VILLAGE)
        scope = township
    else:
        outlines = AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP)
        scope = AdminUnit.objects.filter(level=AdminUnit.Level.CITY).first()
    return _map(
        units=registry_selectors.unit_features(outlines),
        cases=selectors.case_features(cases),
        bounds=registry_selectors.extent_of_villages(scope) if scope else None,
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    cases = selectors.public_cases()
    context = {
        "totals": selectors.counts(),
        "townships": selectors.township_rows(),
        "recent": list(cases[:5]),
        "map": _scope_map(cases, None, None),
        "colours": _legend(),
    }
    return render(request, "supervision/index.html", context)


def _legend() -> list[tuple[str, str]]:
    return [(State(state).label, colour) for state, colour in STATE_COLOURS.items()]


CASE_COLUMNS = (
    ("reference", gettext_lazy("Case")),
    ("received", gettext_lazy("Received on")),
    ("township", gettext_lazy("Township")),
    ("village", gettext_lazy("Village")),
    ("category", gettext_lazy("Category")),
    ("subject", gettext_lazy("Electronic ID")),
    ("state", gettext_lazy("State")),
    ("due_on", gettext_lazy("To be dealt with by")),
    ("rectify_by", gettext_lazy("To be put right by")),
    ("closed", gettext_lazy("Closed on")),
    ("public_text", gettext_lazy("Published text")),
    ("outcome", gettext_lazy("Outcome")),
)


def _case_row(case: Case) -> list[object]:
    return [
        case.reference,
        case.created.date(),
        case.village.parent.name if case.village.parent_id else "",
        case.village.name,
        str(case.category),
        case.subject_code,
        case.get_state_display(),
        case.due_on,
        case.rectify_by or "",
        case.closed_at.date() if case.closed_at else "",
        case.public_text,
        case.outcome,
    ]


@require_safe
def case_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The public cases (the list's filters apply) as CSV or Excel: what the public pages show,
    never the report as sent or the reporter."""
    filterset = CaseFilterSet(request.GET, queryset=selectors.public_cases())
    if not filterset.is_valid():
        return _refusal(request, 400, _("Bad filter"), _("A filter of the list is not valid."))
    header = [str(label) for _key, label in CASE_COLUMNS]
    rows = (_case_row(case) for case in filterset.qs.iterator(chunk_size=500))
    return spreadsheets.download(_("cases"), fmt, header, rows)


@require_safe
def case_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = CaseFilterSet(request.GET, queryset=selectors.public_cases())
    errors = filter_errors(filterset)
    found = Case.objects.none() if errors else filterset.qs
    listed = paged(request, found, CASES_PER_PAGE)
    context = {"case_page": listed.pop("page"), **listed, "filter_errors": errors}
    if request.htmx:
        return render(request, "supervision/case_list.html#case-rows", context)
    township = _unit_by_code(request.GET.get("township"), AdminUnit.Level.TOWNSHIP)
    village = _unit_by_code(request.GET.get("village"), AdminUnit.Level.VILLAGE)
    townships = [(t.code, t.name) for t, _counts in selectors.township_rows()]
    filters = [
        (_("Township"), filter_chips(request, "township", townships, clears=["village"])),
        (_("State"), filter_chips(request, "state", [(s.value, s.label) for s in State])),
        (
            _("Category"),
            filter_chips(request, "category", [(c.code, str(c)) for c in Category.objects.all()]),
        ),
    ]
    context |= {
        "filters": filters,
        "township": township,
        "village": village,
        "villages": selectors.village_rows(township) if township is not None else [],
        "scope_counts": selectors.counts(found),
        "map": _scope_map(found, township, village),
        "colours": _legend(),
    }
    status = 400 if context.get("filter_errors") else 200
    return render(request, "supervision/case_list.html", context, status=status)


def _unit_by_code(code: str | None, level: str) -> AdminUnit | None:
    if not code:
        return None
    return AdminUnit.objects.filter(code=fold(code), level=level).defer("boundary").first()


@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = selectors.public_case(pk)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc
    context = {
        "case": case,
        "history": selectors.public_history(case),
        "photos": selectors.published_photos(case),
        "station": selectors.station_of(case.village),
    }
    response = render(request, "supervision/case_detail.html", context)
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def station_detail(request: HttpRequest, village_code: str) -> HttpResponse:
    try:
        station = selectors.station_by_code(fold(village_code))
    except Station.DoesNotExist as exc:
        raise Http404(_("This village has no liaison station on record.")) from exc
    context = {
        "station": station,
        "members": selectors.public_members(station),
        "counts": selectors.unit_counts(station.village),
        "recent": selectors.recent_cases(station.village),
    }
    return render(request, "supervision/station_detail.html", context)


# Panels on other apps' pages ----------------------------------------------------------------


def record_panel(request: HttpRequest, obj: object = None) -> str:
    """On a plaque's page: who supervises here, and the open cases about this record."""
    unit = _unit_of(obj)
    if unit is None or getattr(obj, "pk", None) is None:
        return ""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "qr:record":
        code = match.kwargs.get("code")  # the page answers only its canonical code
    else:
        eid = qr_selectors.code_of_pk(type(obj), obj.pk)
        code = eid.code if eid is not None else None
    station, open_cases = selectors.station_and_open_cases(unit, code)
    if station is None and not open_cases:
        return ""
    context = {"station": station, "open_cases": open_cases, "code": code, "unit": unit}
    return render_to_string("supervision/partials/record_panel.html", context, request=request)


def unit_panel(request: HttpRequest, obj: object = None) -> str:
    """On a village's page its station, numbers and a link to report; a township's numbers."""
    if not isinstance(obj, AdminUnit) or obj.level == AdminUnit.Level.CITY:
        return ""
    station, counts = selectors.station_and_counts(obj)
    context = {"unit": obj, "counts": counts, "station": station}
    return render_to_string("supervision/partials/unit_panel.html", context, request=request)
