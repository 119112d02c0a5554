"""Public auction pages and the staff screen of the auction day. Views translate between HTTP
and leasing.auctions; the rules, and the refusals that name them, live there."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from leasing import auctions
from leasing import selectors as auction_selectors
from leasing.filtersets import AuctionFilterSet
from leasing.forms import BidForm, CancelForm, PublishForm
from leasing.models.auctions import Auction
from registry.form_errors import form_errors
from registry.http import HtmxHttpRequest, filter_chips, filter_errors, paged
from registry.roles import Task
from registry.scoping import may

RESULTS_PER_PAGE = 20


def _auction_or_404(pk: int) -> Auction:
    try:
        return auction_selectors.auction_record(pk)
    except Auction.DoesNotExist as exc:
        raise Http404(_("No such auction.")) from exc


@require_safe
def auction_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = AuctionFilterSet(request.GET, queryset=auction_selectors.auctions())
    errors = filter_errors(filterset)
    found = Auction.objects.none() if errors else filterset.qs
    listed = paged(request, auction_selectors.results(found), RESULTS_PER_PAGE)
    context = {"result_page": listed.pop("page"), **listed, "filter_errors": errors}
    if request.htmx:
        return render(request, "leasing/auctions/list.html#result-rows", context)
    townships = [(u.code, u.name) for u in auction_selectors.township_choices()]
    context |= {
        "upcoming": auction_selectors.upcoming(found),
        "filters": [
            (_("Township"), filter_chips(request, "township", townships)),
            (_("Status"), filter_chips(request, "status", list(Auction.Status.choices))),
        ],
        "today": timezone.localdate(),
    }
    return render(request, "leasing/auctions/list.html", context, status=400 if errors else 200)


def _bids_context(auction: Auction) -> dict:
    bids = auction_selectors.bids_of(auction)
    return {
        "auction": auction,
        "bids": bids,
        "highest": max(bids, key=lambda bid: bid.amount, default=None),
        "today": timezone.localdate(),
    }


@require_safe
def auction_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    auction = _auction_or_404(pk)
    context = _bids_context(auction)
    if request.htmx:
        return render(request, "leasing/auctions/detail.html#bids", context)
    context |= {
        "events": auction_selectors.auction_history(auction, context["bids"]),
        "may_run": may(request.user, Task.RUN_AUCTION, auction),
    }
    return render(request, "leasing/auctions/detail.html", context)


DAY_FORMS = {"bid": BidForm, "publish": PublishForm, "cancel": CancelForm}


def _run(action: str, auction: Auction, user, data: dict) -> None:
    if action == "bid":
        auctions.record_bid(auction, actor=user, **data)
    elif action == "publish":
        auctions.publish_result(auction, actor=user, published_on=data["published_on"])
    else:
        auctions.cancel_auction(auction, actor=user, reason=data["reason"])


def _apply(request: HttpRequest, auction: Auction) -> tuple[list[str], dict]:
    """Run the posted action. (errors, the refused form to show again with its input)."""
    action = request.POST.get("action", "")
    if action not in DAY_FORMS:
        return [_("Choose what to record.")], {}
    form = DAY_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return form_errors(form), {f"{action}_form": form}
    try:
        _run(action, auction, request.user, form.cleaned_data)
    except ValidationError as exc:
        return exc.messages, {f"{action}_form": form}
    return [], {}


@login_required
@require_http_methods(["GET", "POST"])
def auction_day(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record the bids called in the room and publish the result, on one phone screen."""
    auction = _auction_or_404(pk)
    if not may(request.user, Task.RUN_AUCTION, auction):
        reason = _("Only township or city staff of this asset's units run its auction.")
        return render(request, "leasing/auctions/forbidden.html", {"reason": reason}, status=403)
    errors: list[str] = []
    forms: dict = {}
    status = 200
    if request.method == "POST":
        try:
            errors, forms = _apply(request, auction)
        except PermissionDenied as exc:
            errors = [str(exc)]
            status = 403
        if errors:
            status = max(status, 400)
        elif not request.htmx:
            return redirect(reverse("auctions:day", args=[auction.pk]))
        auction = _auction_or_404(pk)
    context = (
        _bids_context(auction)
        | {
            "errors": errors,
            "bid_form": BidForm(prefix="bid"),
            "publish_form": PublishForm(prefix="publish"),
            "cancel_form": CancelForm(prefix="cancel"),
        }
        | forms
    )
    template = "leasing/auctions/day.html"
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)
