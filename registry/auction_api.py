"""REST API of auctions, renewals and sublets. Filled by the auctions work."""


def register(router) -> None:
    """Add this module's viewsets to the API router."""
