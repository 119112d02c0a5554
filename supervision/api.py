"""The REST API of supervision: cases for staff, report submission and receipts for the public."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add supervision's endpoints to the API's router."""
