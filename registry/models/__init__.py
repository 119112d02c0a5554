from registry.models.assets import Asset, Cooperative
from registry.models.base import TimeStampedModel
from registry.models.events import GENESIS_HASH, DailyHead, Event
from registry.models.leases import Lease, LeasePayment
from registry.models.projects import Project, Stage
from registry.models.sites import Route, RouteStop, Site
from registry.models.units import AdminUnit, Profile

__all__ = [
    "GENESIS_HASH",
    "AdminUnit",
    "Asset",
    "Cooperative",
    "DailyHead",
    "Event",
    "Lease",
    "LeasePayment",
    "Profile",
    "Project",
    "Route",
    "RouteStop",
    "Site",
    "Stage",
    "TimeStampedModel",
]
