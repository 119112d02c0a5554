"""REST API of auctions, renewals and sublets. Reads are public (bidders and tenants by their
masked public names only); writes are for staff, through leasing.auctions and leasing.services,
so the API refuses exactly what the auction-day screen and the admin refuse, with the rule named.
"""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from leasing import auctions
from leasing import services as leasing
from leasing.filtersets import AuctionFilterSet
from leasing.models import Lease
from leasing.models.auctions import Auction, Bid
from leasing.models.leases import Sublet
from registry.api_support import Pagination, ReadOrMayWrite, given
from registry.roles import Task


class BidSerializer(serializers.ModelSerializer):
    bidder_public_name = serializers.CharField(read_only=True)

    class Meta:
        model = Bid
        fields = ("id", *Bid.PUBLIC_FIELDS)


class BidInputSerializer(serializers.Serializer):
    paddle = serializers.IntegerField(min_value=1)
    bidder_name = serializers.CharField(max_length=120)
    bidder_kind = serializers.ChoiceField(
        choices=Lease.TenantKind.choices, default=Lease.TenantKind.PERSON
    )
    bidder_contact = serializers.CharField(max_length=60, required=False, default="")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    placed_at = serializers.DateTimeField(
        required=False, default=None, help_text="When the bid was called; now if omitted."
    )


class AuctionSerializer(serializers.ModelSerializer):
    bids = BidSerializer(many=True, read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Auction
        fields = ("id", *Auction.PUBLIC_FIELDS, "bids", "flags")
        read_only_fields = Auction.OUTCOME_FIELDS


class ResultInputSerializer(serializers.Serializer):
    published_on = serializers.DateField(required=False, default=None)


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AuctionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Public auctions of lease rights (公开拍租): announcements, bids and results.

    Creating an auction announces it (township or city staff of the asset's units).
    """

    queryset = Auction.objects.select_related("asset").prefetch_related("bids").order_by("-pk")
    serializer_class = AuctionSerializer
    filterset_class = AuctionFilterSet
    permission_classes = [ReadOrMayWrite]
    write_tasks = (Task.RUN_AUCTION,)
    pagination_class = Pagination

    @transaction.atomic
    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        asset = data.pop("asset")
        serializer.instance = auctions.announce_auction(asset, actor=self.request.user, **data)

    @extend_schema(request=BidInputSerializer, responses={201: BidSerializer})
    @action(detail=True, methods=["post"])
    def bids(self, request, pk=None):
        """Record a bid called on the auction day."""
        data = given(BidInputSerializer, request)
        bid = auctions.record_bid(self.get_object(), actor=request.user, **data)
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResultInputSerializer, responses={200: AuctionSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        """Publish the result: the highest bid wins and its lease is created; no bid, 流拍."""
        data = given(ResultInputSerializer, request)
        auction = auctions.publish_result(self.get_object(), actor=request.user, **data)
        return Response(self.get_serializer(auction).data)

    @extend_schema(request=CancelInputSerializer, responses={200: AuctionSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Call off an announced auction before any bid, giving the public reason."""
        data = given(CancelInputSerializer, request)
        auction = auctions.cancel_auction(self.get_object(), actor=request.user, **data)
        return Response(self.get_serializer(auction).data)


class LeaseSerializer(serializers.ModelSerializer):
    tenant_public_name = serializers.CharField(read_only=True)

    class Meta:
        model = Lease
        fields = ("id", *Lease.PUBLIC_FIELDS)


class RenewInputSerializer(serializers.Serializer):
    end_on = serializers.DateField()
    annual_rent = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    payment_schedule = serializers.ChoiceField(
        choices=Lease.Schedule.choices, required=False, default=None
    )
    deposit = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=None
    )
    valuation = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=None
    )


class SubletSerializer(serializers.ModelSerializer):
    subtenant_public_name = serializers.CharField(read_only=True)

    class Meta:
        model = Sublet
        fields = ("id", *Sublet.PUBLIC_FIELDS)


class SubletInputSerializer(serializers.Serializer):
    subtenant_name = serializers.CharField(max_length=120)
    subtenant_kind = serializers.ChoiceField(
        choices=Lease.TenantKind.choices, default=Lease.TenantKind.PERSON
    )
    subtenant_contact = serializers.CharField(max_length=60, required=False, default="")
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    purpose = serializers.CharField(max_length=200, required=False, default="")
    declared_on = serializers.DateField(required=False, default=None)


class LeaseViewSet(viewsets.GenericViewSet):
    """Renewals (续租) and declared sublets (转租申报) of a lease."""

    queryset = Lease.objects.select_related("asset").order_by("pk")
    serializer_class = LeaseSerializer
    permission_classes = [ReadOrMayWrite]
    write_tasks = (Task.MANAGE_LEASE,)

    @extend_schema(request=RenewInputSerializer, responses={201: LeaseSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Renew the lease for the same tenant from the day it ends."""
        data = given(RenewInputSerializer, request)
        renewal = leasing.renew_lease(self.get_object(), actor=request.user, **data)
        return Response(LeaseSerializer(renewal).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: SubletSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=SubletInputSerializer, responses={201: SubletSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def sublets(self, request, pk=None):
        """The sublets declared on the lease; POST declares one."""
        lease = self.get_object()
        if request.method == "GET":
            rows = lease.sublets.order_by("start_on")
            return Response(SubletSerializer(rows, many=True).data)
        data = given(SubletInputSerializer, request)
        sublet = leasing.declare_sublet(lease, actor=request.user, **data)
        return Response(SubletSerializer(sublet).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("auctions", AuctionViewSet, basename="auction")
    router.register("leases", LeaseViewSet, basename="lease")
