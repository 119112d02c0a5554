"""The power list's public pages: the list by area, an item with its steps, flowchart, approval
chain and the records that follow it, the flowchart alone as SVG, and the posts' risk points.
A village is chosen by its division code (`?village=`); a mistyped or unknown one is a 400 that
says so."""

import hashlib

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from finance import powers
from finance.flowchart import flowchart_svg
from finance.models import PaymentRequest, PowerItem
from gis.http import conditional, make_etag
from registry.filtersets import DivisionCodeField
from registry.http import HtmxHttpRequest
from registry.models import AdminUnit

LISTED = 50  # records of each kind listed for one village; the rest are counted


def _item_or_404(number: int) -> PowerItem:
    item = PowerItem.objects.filter(number=number).first() if number < 100 else None
    if item is None:
        raise Http404(_("The power list has no item %(number)s.") % {"number": number})
    return item


def _chosen_village(request: HttpRequest) -> tuple[AdminUnit | None, list[str]]:
    """The village `?village=` names, or why it names none (empty when none was asked for)."""
    raw = request.GET.get("village", "")
    if not raw.strip():
        return None, []
    try:
        code = DivisionCodeField().clean(raw)
    except ValidationError as exc:
        return None, exc.messages
    village = (
        AdminUnit.objects.filter(code=code, level=AdminUnit.Level.VILLAGE)
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .first()
    )
    if village is None:
        return None, [_("No village has the division code %(code)s.") % {"code": code}]
    return village, []


def _villages() -> list[AdminUnit]:
    """Every village for the chooser, by township."""
    return list(
        AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)
        .select_related("parent")
        .only("code", "name", "parent__code", "parent__name")
        .order_by("parent__code", "code")
    )


def _flowchart(item: PowerItem, steps) -> str:
    return flowchart_svg(item, steps, note=str(powers.SAMPLE_NOTICE) if item.sample else "")


@require_safe
def power_list(request: HttpRequest) -> HttpResponse:
    areas = powers.power_list()
    context = {
        "areas": areas,
        "item_count": sum(len(items) for _area, items in areas),
        "sample": any(item.sample for _area, items in areas for item in items),
        "sample_notice": powers.SAMPLE_NOTICE,
    }
    return render(request, "finance/powers/list.html", context)


def _listed(queryset) -> dict:
    rows = list(queryset[: LISTED + 1])
    return {"rows": rows[:LISTED], "more": len(rows) > LISTED}


def _count_table(counts: list[powers.TownshipCount]) -> dict:
    """The counts per township, in columns of the kinds of record that follow the item."""
    kinds = [k for k in powers.Kind.values if k and any(row.counts.get(k) for row in counts)]
    return {
        "count_columns": [powers.Kind(k).label for k in kinds],
        "count_rows": [(row.township, [row.counts.get(k, 0) for k in kinds]) for row in counts],
    }


@require_safe
def power_item(request: HtmxHttpRequest, number: int) -> HttpResponse:
    item = _item_or_404(number)
    village, errors = _chosen_village(request)
    context = {
        "item": item,
        "village": village,
        "filter_errors": errors,
        "villages": _villages(),
    }
    if village is not None:
        following = powers.records_following(item, village=village)
        context["following"] = {
            "projects": _listed(following.projects),
            "leases": _listed(following.leases),
            "auctions": _listed(following.auctions),
            "payments": _listed(following.payments.filter(state=PaymentRequest.State.PAID)),
        }
    else:
        context |= _count_table(powers.following_counts(item))
    status = 400 if errors else 200
    if request.htmx:
        return render(request, "finance/powers/item.html#following", context, status=status)
    steps = list(item.steps.order_by("position"))
    rules, own_rules = powers.approval_chain(item)
    context |= {
        "steps": steps,
        "flowchart": mark_safe(_flowchart(item, steps)),  # noqa: S308 (every text escaped)
        "rules": rules,
        "own_rules": own_rules,
        "sample_notice": powers.SAMPLE_NOTICE,
    }
    return render(request, "finance/powers/item.html", context, status=status)


@require_safe
def power_flowchart(request: HttpRequest, number: int) -> HttpResponse:
    """The flowchart alone, to print or embed. The drawing is deterministic, so its hash is
    its version; the sample notice follows the page's language."""
    item = _item_or_404(number)
    svg = _flowchart(item, item.steps.all()).encode()
    etag = make_etag("flowchart", hashlib.sha256(svg).hexdigest())
    return conditional(
        request,
        etag,
        lambda: HttpResponse(svg, content_type="image/svg+xml; charset=utf-8"),
        vary=("Accept-Language", "Cookie"),
    )


@require_safe
def power_risks(request: HttpRequest) -> HttpResponse:
    village, errors = _chosen_village(request)
    groups = powers.risk_points_for(village)
    context = {
        "village": village,
        "groups": groups,
        "filter_errors": errors,
        "villages": _villages(),
        "sample": any(p.sample for points in groups.values() for p in points),
        "sample_notice": powers.SAMPLE_NOTICE,
    }
    return render(request, "finance/powers/risks.html", context, status=400 if errors else 200)
