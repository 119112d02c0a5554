from registry.models.assets import Asset, Cooperative
from registry.models.base import TimeStampedModel
from registry.models.units import AdminUnit, Profile

__all__ = ["AdminUnit", "Asset", "Cooperative", "Profile", "TimeStampedModel"]
