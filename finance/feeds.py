"""A village's monthly disclosures as an Atom feed: one entry per published month and per
amendment, so a reader subscribed to the village sees a correction as it comes out."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from finance import disclosure_views, disclosures
from finance.models import MonthlyDisclosure
from registry.models import AdminUnit

ENTRIES = 36


class VillageFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """An unknown village is the site's page that says so, not a bare 404."""
        try:
            request.feed_village = disclosure_views.village_by_code(kwargs["village_code"])
        except disclosure_views.Refused as refusal:
            return disclosure_views.refused(request, refusal)
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=disclosure_views.PUBLIC_SECONDS)
        return response

    def get_object(self, request: HttpRequest, village_code: str) -> AdminUnit:
        return request.feed_village

    def title(self, village: AdminUnit) -> str:
        return _("%(village)s: monthly disclosure of village affairs") % {"village": village.name}

    def subtitle(self, village: AdminUnit) -> str:
        return _(
            "Income, expenditure, payments, projects, leases, auctions and cases of "
            "%(village)s, published each month."
        ) % {"village": village.name}

    def link(self, village: AdminUnit) -> str:
        return reverse("finance:disclosure-list", args=[village.code])

    def feed_url(self, village: AdminUnit) -> str:
        return reverse("finance:disclosure-feed", args=[village.code])

    def items(self, village: AdminUnit) -> list[MonthlyDisclosure]:
        return list(
            MonthlyDisclosure.objects.filter(village=village)
            .select_related("village")
            .defer("village__boundary")
            .order_by("-published_at", "-number")[:ENTRIES]
        )

    def item_title(self, item: MonthlyDisclosure) -> str:
        return str(item)

    def item_link(self, item: MonthlyDisclosure) -> str:
        url = item.get_absolute_url()
        return f"{url}?v={item.number}" if item.number else url

    def item_guid(self, item: MonthlyDisclosure) -> str:
        """An absolute IRI per version: a month and each of its amendments are entries."""
        return f"{settings.PUBLIC_BASE_URL}{item.get_absolute_url()}#v{item.number}"

    def item_description(self, item: MonthlyDisclosure) -> str:
        content = item.content
        text = _(
            "Income %(income)s yuan, expenditure %(expenditure)s yuan, %(payments)s payments. "
            "SHA-256 %(hash)s."
        ) % {
            "income": disclosures.yuan(content["income"]["total"]),
            "expenditure": disclosures.yuan(content["expenditure"]["total"]),
            "payments": len(content["payments"]),
            "hash": item.sha256,
        }
        if item.number:
            text = _("Amendment %(n)s: %(reason)s") % {"n": item.number, "reason": item.reason} + (
                " " + text
            )
        return text

    def item_pubdate(self, item: MonthlyDisclosure):
        return item.published_at

    def item_updateddate(self, item: MonthlyDisclosure):
        return item.published_at
