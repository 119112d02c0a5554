"""Planted leasing cases for the demo (filled in by the leasing rules)."""


def plant() -> None:
    """Leases and auctions that trip W01-W04 and W10, and near misses that must not."""
