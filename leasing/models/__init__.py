from leasing.models.auctions import Auction, Bid
from leasing.models.leases import Lease, LeasePayment, Sublet, add_months

__all__ = ["Auction", "Bid", "Lease", "LeasePayment", "Sublet", "add_months"]
