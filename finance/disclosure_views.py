"""The public pages of the monthly disclosure (三务公开): the township and village index, a
village's months, a month with its amendments, the poster, a villager's question; and for staff
who publish disclosures, publishing a month by hand and amending one.

Anonymous visitors share one drawing of each page per version of the public record
(`portal.pagecache`): a question or a publication appends to the log, which renews them.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from finance import disclosures, poster, questions, tasks
from finance.models import MonthlyDisclosure
from portal.pagecache import share_page, shared_page, shared_page_key
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import may
from registry.text import fold
from supervision import ratelimit
from supervision import selectors as supervision_selectors
from supervision import views as supervision_views

PUBLIC_SECONDS = 300
QUESTIONABLE = ("income", "expenditure", "payments", "projects", "leases", "auctions")


class Refused(Exception):
    """A request the page cannot answer, with the status and the reason shown."""

    def __init__(self, status: int, title: str, text: str, **context):
        super().__init__(text)
        self.status, self.title, self.text, self.context = status, title, text, context


def refused(request: HttpRequest, refusal: Refused) -> HttpResponse:
    context = {"title": refusal.title, "text": refusal.text, **refusal.context}
    response = render(request, "finance/disclosures/refused.html", context, status=refusal.status)
    response._has_been_logged = True  # a mistyped address is no server error worth a log line
    return _public(request, response, max_age=60)


def _public(request: HttpRequest, response: HttpResponse, max_age=PUBLIC_SECONDS) -> HttpResponse:
    """Shared caches may keep what anonymous visitors get; staff pages carry forms."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


def village_by_code(code: str) -> AdminUnit:
    village = (
        AdminUnit.objects.filter(code=fold(code), level=AdminUnit.Level.VILLAGE)
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .first()
    )
    if village is None:
        raise Refused(
            404,
            _("No such village"),
            _("No village has the division code “%(code)s”.") % {"code": fold(code)[:20]},
        )
    return village


def _month(text: str) -> dt.date:
    try:
        return disclosures.parse_month(text)
    except ValidationError as exc:
        raise Refused(400, _("Not a month"), " ".join(exc.messages)) from None


def _cached(request: HttpRequest, name: str, build) -> HttpResponse:
    """The page `name` from the shared cache for anonymous visitors, else built."""
    key = shared_page_key(request, f"disclosure:{name}")
    if (page := shared_page(key)) is not None:
        return _public(request, page.response(request))
    try:
        response = build()
    except Refused as refusal:
        return refused(request, refusal)
    share_page(key, response)
    return _public(request, response)


# ---------------------------------------------------------------- index and months


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every township's villages with the last month each has published."""

    def build() -> HttpResponse:
        townships: dict[int, dict] = {}
        for village in disclosures.latest_months(tasks.villages()):
            township = village.parent
            entry = townships.setdefault(
                township.pk if township else 0, {"township": township, "villages": []}
            )
            entry["villages"].append(village)
        context = {
            "townships": sorted(
                townships.values(), key=lambda t: t["township"].code if t["township"] else ""
            ),
            "expected": disclosures.previous_month(timezone.localdate()),
        }
        return render(request, "finance/disclosures/index.html", context)

    return _cached(request, "index", build)


@require_safe
def village_months(request: HttpRequest, village_code: str) -> HttpResponse:
    """A village's published months, newest first, with their totals."""

    def build() -> HttpResponse:
        village = village_by_code(village_code)
        months = disclosures.month_summaries(village)
        context = {"village": village, "months": months}
        return render(request, "finance/disclosures/village.html", context)

    return _cached(request, f"village:{village_code}", build)


# ---------------------------------------------------------------- a month


@dataclass(frozen=True)
class Month:
    village: AdminUnit
    month: dt.date
    versions: list[MonthlyDisclosure]

    @property
    def original(self) -> MonthlyDisclosure:
        return self.versions[0]

    @property
    def latest(self) -> MonthlyDisclosure:
        return self.versions[-1]

    @property
    def code(self) -> str:
        return f"{self.month:%Y-%m}"


def _published_month(request: HttpRequest, village_code: str, month_text: str) -> Month:
    village = village_by_code(village_code)
    month = _month(month_text)
    versions = disclosures.versions_of(village, month)
    if versions:
        return Month(village, month, versions)
    over = month < disclosures.month_start(timezone.localdate())
    publish_on = tasks.first_working_day(
        disclosures.next_month(month).year, disclosures.next_month(month).month
    )
    params = {"village": village.name, "month": f"{month:%Y-%m}", "day": f"{publish_on:%Y-%m-%d}"}
    if over:
        text = _(
            "The disclosure of %(village)s for %(month)s is not published yet. Each month is "
            "published on the first working day of the next; this month's was due on %(day)s."
        )
        if publish_on >= timezone.localdate():
            text = _(
                "The disclosure of %(village)s for %(month)s is not published yet. Each month "
                "is published on the first working day of the next; this month's is due on "
                "%(day)s."
            )
    else:
        text = _(
            "%(month)s is not over yet. The disclosure of %(village)s for it will be published "
            "on the first working day of the next month, %(day)s."
        )
    raise Refused(
        404,
        _("Not published yet"),
        text % params,
        village=village,
        month=month,
        may_publish=over
        and may(request.user, Task.PUBLISH_DISCLOSURES, MonthlyDisclosure(village=village)),
    )


def _shown(found: Month, number: str | None) -> MonthlyDisclosure:
    if number is None:
        return found.latest
    by_number = {str(v.number): v for v in found.versions}
    if number not in by_number:
        raise Refused(
            404,
            _("No such version"),
            _("%(month)s of %(village)s has no version %(n)s.")
            % {"month": found.code, "village": found.village.name, "n": number[:5]},
        )
    return by_number[number]


def _versions(found: Month) -> list[dict]:
    """Each version with what it changed from the one before."""
    rows = []
    for before, version in zip([None, *found.versions], found.versions, strict=False):
        changes = disclosures.changes_between(before.content, version.content) if before else []
        rows.append({"disclosure": version, "changes": changes})
    return rows


def month_context(request: HttpRequest, found: Month, shown: MonthlyDisclosure) -> dict:
    shown_data = disclosures.present(shown.content)
    asked = questions.questions_by_line(found.versions)
    for part in QUESTIONABLE:
        for line in shown_data[part]:
            line["questions"] = asked.get(line["key"], [])
    return {
        "found": found,
        "village": found.village,
        "month": found.month,
        "shown": shown,
        "p": shown_data,
        "versions": _versions(found),
        "asking": disclosures.questions_open(found.latest) and shown == found.latest,
        "questions_close_on": disclosures.questions_close_on(found.latest),
        "question_days": disclosures.QUESTION_DAYS,
        "may_amend": may(request.user, Task.PUBLISH_DISCLOSURES, shown),
    }


def _month_page(
    request: HttpRequest, found: Month, shown: MonthlyDisclosure, *, status=200, **extra
) -> HttpResponse:
    context = month_context(request, found, shown) | extra
    return render(request, "finance/disclosures/month.html", context, status=status)


@require_safe
def month_detail(request: HttpRequest, village_code: str, month: str) -> HttpResponse:
    """A village's month: the latest version, the original and amendments listed with their
    reasons, dates and hashes (?v=<number> shows one version)."""

    def build() -> HttpResponse:
        found = _published_month(request, village_code, month)
        return _month_page(request, found, _shown(found, request.GET.get("v")))

    return _cached(request, f"month:{village_code}:{month}", build)


@require_safe
def poster_pdf(request: HttpRequest, village_code: str, month: str) -> HttpResponse:
    """The printable poster for the notice board, A4 (default) or A3 (?size=a3)."""
    try:
        found = _published_month(request, village_code, month)
        shown = _shown(found, request.GET.get("v"))
        size = request.GET.get("size", "a4").lower()
        if size not in poster.SIZES:
            raise Refused(
                400,
                _("Unknown paper size"),
                _("The poster is printed on A4 or A3: add ?size=a4 or ?size=a3."),
            )
    except Refused as refusal:
        return refused(request, refusal)
    pdf = poster.build(shown, size=size)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"disclosure-{found.village.code}-{found.code}-{size}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return _public(request, response)


# ---------------------------------------------------------------- a villager's question


def _question_page(request, found: Month, form, *, status: int = 200, closed: str = ""):
    context = {
        "found": found,
        "village": found.village,
        "month": found.month,
        "form": form,
        "closed": closed,
        "station": supervision_selectors.station_of(found.village),
        "text_max": questions.TEXT_MAX,
    }
    response = render(request, "finance/disclosures/question.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    if status >= 400:
        response._has_been_logged = True
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def question(request: HttpRequest, village_code: str, month: str) -> HttpResponse:
    """Question one line of the month's latest version, within the days allowed: a supervision
    report about it, followed with a receipt code like any other."""
    try:
        found = _published_month(request, village_code, month)
    except Refused as refusal:
        return refused(request, refusal)
    disclosure = found.latest
    lines = disclosures.lines_of(disclosure.content)
    closed = questions.closed_reason(disclosure)
    if request.method != "POST":
        initial = {"line": request.GET.get("line", "")}
        form = questions.QuestionForm(initial=initial, lines=lines, village=found.village)
        return _question_page(request, found, form, closed=closed)
    if closed:
        form = questions.QuestionForm(lines=lines, village=found.village)
        return _question_page(request, found, form, status=403, closed=closed)
    wait = ratelimit.over_limit(request)
    if wait:
        station = supervision_selectors.station_of(found.village)
        return supervision_views.limited_response(request, wait, station)
    form = questions.QuestionForm(request.POST, lines=lines, village=found.village)
    if form.spam:
        ratelimit.count_report(request)
        return supervision_views.receipt_page(
            request, supervision_views.pretend_receipt(form, found.village)
        )
    if not form.is_valid():
        return _question_page(request, found, form, status=400)
    data = form.cleaned_data
    try:
        asked = questions.ask(
            disclosure,
            line=data["line"],
            text=data["text"],
            identity=data["identity"],
            client_uuid=data["client_uuid"],
            contact={k: data[k] for k in ("name", "phone", "email")},
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _question_page(request, found, form, status=400)
    if asked.submitted.created:
        ratelimit.count_report(request)
    receipt = supervision_views.submitted_receipt(asked.submitted)
    return supervision_views.receipt_page(request, receipt)


# ---------------------------------------------------------------- staff: publish, amend


def _staff_refusal(request: HttpRequest, exc: Exception) -> HttpResponse:
    return refused(request, Refused(403, _("Not allowed"), str(exc)))


@require_POST
@login_required
def publish(request: HttpRequest, village_code: str, month: str) -> HttpResponse:
    """Publish a month by hand (the queue does it on the first working day). Published
    already (a second tap, a stale page): the month's page, saying so."""
    try:
        village = village_by_code(village_code)
        when = _month(month)
        published = disclosures.publish_month(village, when, actor=request.user)
        messages.success(
            request,
            _("Published: %(title)s. It is frozen now; a correction is an amendment.")
            % {"title": published},
        )
    except Refused as refusal:
        return refused(request, refusal)
    except PermissionDenied as exc:
        return _staff_refusal(request, exc)
    except ValidationError as exc:
        if disclosures.versions_of(village, when):  # a second tap, a stale page
            messages.info(request, " ".join(exc.messages))
        else:
            return refused(request, Refused(400, _("Not published"), " ".join(exc.messages)))
    return redirect("finance:disclosure", village.code, f"{when:%Y-%m}", permanent=False)


@require_POST
@login_required
def amend(request: HttpRequest, village_code: str, month: str) -> HttpResponse:
    """Publish an amendment of the month, rebuilt from the record as it is now."""
    try:
        found = _published_month(request, village_code, month)
    except Refused as refusal:
        return refused(request, refusal)
    reason = str(request.POST.get("reason", ""))
    try:
        disclosures.amend(found.latest, actor=request.user, reason=reason)
    except PermissionDenied as exc:
        return _staff_refusal(request, exc)
    except ValidationError as exc:
        response = _month_page(
            request,
            found,
            found.latest,
            status=400,
            amend_errors=exc.messages,
            amend_reason=reason[: disclosures.REASON_MAX + 100],
        )
        response._has_been_logged = True
        return response
    return redirect("finance:disclosure", found.village.code, found.code)
