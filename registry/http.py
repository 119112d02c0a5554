"""What views of several apps share about requests: the htmx request type and filter links."""

from collections.abc import Iterable

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def filter_chips(
    request: HttpRequest,
    name: str,
    options: Iterable[tuple[object, str]],
    *,
    clears: Iterable[str] = (),
) -> list[dict]:
    """Links ("chips") that set the filter `name` to each option ("All" first) and keep the
    other filters; a page number is dropped, and so are the filters `clears` names (a village
    chosen within a township no longer applies when the township changes)."""
    current = request.GET.get(name, "")
    chips = []
    for value, label in [("", _("All")), *options]:
        params = request.GET.copy()
        params.pop("page", None)
        for other in clears:
            params.pop(other, None)
        if value:
            params[name] = value
        else:
            params.pop(name, None)
        query = params.urlencode()
        chips.append(
            {"url": f"?{query}" if query else "?", "label": label, "active": str(value) == current}
        )
    return chips


def paged(request: HttpRequest, items, per_page: int) -> dict:
    """One page of `items` for a list that loads more with htmx: `page`, and `next_url` (the
    same filters, the next page) when there is one."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    context = {"page": page}
    if page.has_next():
        params = request.GET.copy()
        params["page"] = page.next_page_number()
        context["next_url"] = f"?{params.urlencode()}"
    return context


def filter_errors(filterset) -> list[str]:
    """Why a list's filters were not understood (empty when they all were): the page shows
    them (`registry/partials/filter_errors.html`) and answers 400, never an empty list alone."""
    if filterset.is_valid():
        return []
    return [str(error) for errors in filterset.errors.values() for error in errors]
