"""The dashboards: the public one (`/dashboard/`, aggregates only) and the staff one
(`/dashboard/staff/`, scoped to the user's units, with the warnings to deal with and the leases
most in arrears), and each chart's table as CSV or Excel with the same filters."""

import time

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from alerts import dashboards
from alerts.dashboard_forms import DEFAULT_MONTHS, DashboardFilterForm, months_back
from alerts.models import AlertChange
from gis import spreadsheets
from portal.pagecache import share_page, shared_page, shared_page_key
from registry.http import filter_errors
from registry.roles import Role
from registry.scoping import group_names, unit_ids_in_scope

STAFF_ROLES = frozenset({Role.CITY, Role.TOWNSHIP, Role.DISCIPLINE})
# Scan counters change without an event in the public log or a warning's history: a shared
# public page is drawn again at least this often.
SCANS_SECONDS = 300
PERIODS = (3, 6, 12, 24)  # months offered as one-tap periods


def may_see_staff_dashboard(user) -> bool:
    """City and township staff and the township discipline office (and superusers)."""
    return user.is_authenticated and (user.is_superuser or bool(group_names(user) & STAFF_ROLES))


def _ensure_staff(user) -> None:
    if not may_see_staff_dashboard(user):
        raise PermissionDenied(
            _("The staff dashboard is for township and city staff and the discipline office.")
        )


class Refused(Exception):
    def __init__(self, status: int, errors: list[str], form: DashboardFilterForm):
        self.status, self.errors, self.form = status, errors, form


def _board(
    request: HttpRequest, *, staff: bool
) -> tuple[DashboardFilterForm, dashboards.Dashboard]:
    """The filters and the figures they select; Refused (400, or 403 outside the user's units)
    when a filter is not understood."""
    allowed = unit_ids_in_scope(request.user) if staff else None
    units = dashboards.unit_index()
    form = DashboardFilterForm(
        request.GET, units=units, allowed=allowed, today=timezone.localdate()
    )
    errors = filter_errors(form)
    if errors:
        raise Refused(403 if form.out_of_scope else 400, errors, form)
    data = form.cleaned_data
    place = dashboards.place(
        units, township=data["township"], village=data["village"], allowed=allowed
    )
    period = dashboards.Period(data["start"], data["end"], form.today)
    return form, dashboards.Dashboard(place, period)


def _number(value: object, kind: str) -> str:
    if kind == dashboards.MONEY:  # grouped by thousands, as on every other page
        return formats.number_format(value, 2, force_grouping=True)
    if kind == dashboards.COUNT:
        return formats.number_format(value, 0, force_grouping=True)
    if kind == dashboards.DAY:
        return value.isoformat()
    return str(value)


def _query(request: HttpRequest, **changes: str | None) -> str:
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value:
            params[name] = value
    query = params.urlencode()
    return f"?{query}" if query else "?"


def _cells(request: HttpRequest, table: dashboards.Table, board: dashboards.Dashboard) -> list:
    """The table's rows as the page prints them; a township or village links to its own view."""
    printed = []
    for row in table.rows:
        cells = [
            {"text": _number(value, column.kind), "kind": column.kind, "key": column.key}
            for value, column in zip(row, table.columns, strict=True)
        ]
        if table.chart.per_place:
            code = row[1]
            if board.place.by == "village":
                cells[0]["url"] = _query(request, village=code)
            else:
                cells[0]["url"] = _query(request, township=code, village=None)
        printed.append(cells)
    return printed


def _place_label(form: DashboardFilterForm) -> str:
    data = form.cleaned_data
    if data.get("village") is not None:
        return data["village"].name
    if data.get("township") is not None:
        return data["township"].name
    return _("Your units") if form.allowed is not None else _("The whole city")


def _periods(request: HttpRequest, form: DashboardFilterForm) -> list[dict]:
    today = form.today
    current = (form.cleaned_data["start"], form.cleaned_data["end"])
    chips = []
    for months in PERIODS:
        start = months_back(today, months)
        chips.append(
            {
                "label": _("Last %(n)s months") % {"n": months},
                "url": _query(request, **{"from": start.isoformat(), "to": today.isoformat()}),
                "active": current == (start, today),
            }
        )
    return chips


def _download_url(request: HttpRequest, name: str, chart_id: str, fmt: str) -> str:
    query = request.GET.urlencode()
    url = reverse(name, kwargs={"chart": chart_id, "fmt": fmt})
    return f"{url}?{query}" if query else url


def _url_of(record) -> str:
    """A record's page, or "" while the page does not exist (e.g. the warnings' own pages)."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return ""


def _render(request: HttpRequest, *, staff: bool) -> HttpResponse:
    heading = _("Township and city dashboard") if staff else _("Dashboard")
    context: dict = {"staff": staff, "heading": heading}
    try:
        form, board = _board(request, staff=staff)
    except Refused as refused:
        context |= {"form": refused.form, "filter_errors": refused.errors}
        return render(request, "alerts/dashboard.html", context, status=refused.status)
    download = "dashboard:staff-download" if staff else "dashboard:download"
    tables = []
    for table in board.tables():
        table.cells = _cells(request, table, board)
        table.csv_url = _download_url(request, download, table.id, "csv")
        table.xlsx_url = _download_url(request, download, table.id, "xlsx")
        tables.append(table)
    context |= {
        "form": form,
        "board": board,
        "tables": tables,
        "summary": [
            {"label": label, "text": _number(value, kind)} for label, value, kind in board.summary()
        ],
        "place_label": _place_label(form),
        "period": board.period,
        "periods": _periods(request, form),
        "other_view": reverse("dashboard:public" if staff else "dashboard:staff") + _query(request),
        "may_see_staff": may_see_staff_dashboard(request.user),
        "default_months": DEFAULT_MONTHS,
    }
    if staff:
        count, alerts = board.active_alerts()
        context |= {
            "alert_count": count,
            "alerts": [(alert, _url_of(alert)) for alert in alerts],
            "arrears": [(lease, owed, _url_of(lease)) for lease, owed in board.arrears_leaders()],
        }
    return render(request, "alerts/dashboard.html", context)


def warnings_version() -> tuple[int, int]:
    """Changes to the warnings (raised, level, resolved, dismissed ...): each adds a row to
    their history, none an event to the public log."""
    got = AlertChange.objects.aggregate(last=Max("pk"), n=Count("pk"))
    return got["last"] or 0, got["n"]


@require_safe
def public(request: HttpRequest) -> HttpResponse:
    """Anyone's dashboard. Anonymous visitors share one drawing per version of the record, of
    the warnings, and of five minutes of scan counters (`portal.pagecache`)."""
    last, count = warnings_version()
    name = f"dashboard:{last}:{count}:{int(time.time() // SCANS_SECONDS)}"
    key = shared_page_key(request, name)
    if (page := shared_page(key)) is not None:
        return page.response(request)
    response = _render(request, staff=False)
    share_page(key, response)
    return response


@require_safe
@login_required
def staff(request: HttpRequest) -> HttpResponse:
    _ensure_staff(request.user)
    return _render(request, staff=True)


def _download(request: HttpRequest, chart: str, fmt: str, *, staff: bool) -> HttpResponse:
    if chart not in dashboards.CHARTS:
        raise Http404(_("No such chart."))
    try:
        form, board = _board(request, staff=staff)
    except Refused as refused:
        return HttpResponse(
            "\n".join(refused.errors) + "\n",
            status=refused.status,
            content_type="text/plain; charset=utf-8",
        )
    table = board.table(chart)
    period = board.period
    unit = form.cleaned_data.get("village") or form.cleaned_data.get("township")
    where = f"-{unit.code}" if unit is not None else ""  # which place the file is about
    name = f"{chart}{where}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    return spreadsheets.download(name, fmt, table.header(), table.rows)


@require_safe
def public_download(request: HttpRequest, chart: str, fmt: str) -> HttpResponse:
    return _download(request, chart, fmt, staff=False)


@require_safe
@login_required
def staff_download(request: HttpRequest, chart: str, fmt: str) -> HttpResponse:
    _ensure_staff(request.user)
    return _download(request, chart, fmt, staff=True)
