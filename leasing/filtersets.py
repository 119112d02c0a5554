"""The one FilterSet of auctions, shared by the public list page and the API."""

import django_filters

from leasing.models.auctions import Auction
from registry.filtersets import DivisionCodeFilter, IdFilter, SearchFilter


class AuctionFilterSet(django_filters.FilterSet):
    township = DivisionCodeFilter(
        field_name="asset__village__parent__code", label="township division code"
    )
    village = DivisionCodeFilter(field_name="asset__village__code", label="village division code")
    asset = IdFilter(field_name="asset_id", label="asset id")
    q = SearchFilter(field_name="title", label="title")

    class Meta:
        model = Auction
        fields = ["status", "township", "village", "asset", "q"]
