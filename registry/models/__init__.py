from registry.models.assets import Asset, Cooperative
from registry.models.auctions import Auction, Bid
from registry.models.base import TimeStampedModel
from registry.models.events import GENESIS_HASH, DailyHead, Event
from registry.models.leases import Lease, LeasePayment, Sublet
from registry.models.procedure import Deliberation, Disclosure, ProjectDocument
from registry.models.projects import Project, Stage
from registry.models.sites import Route, RouteStop, Site
from registry.models.units import AdminUnit, Profile

__all__ = [
    "GENESIS_HASH",
    "AdminUnit",
    "Asset",
    "Auction",
    "Bid",
    "Cooperative",
    "DailyHead",
    "Deliberation",
    "Disclosure",
    "Event",
    "Lease",
    "LeasePayment",
    "Profile",
    "Project",
    "ProjectDocument",
    "Route",
    "RouteStop",
    "Site",
    "Stage",
    "Sublet",
    "TimeStampedModel",
]
