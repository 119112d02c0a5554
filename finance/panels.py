from django.apps import AppConfig


def connect(app: AppConfig) -> None:
    """Register this module's part when Django starts (see finance.hooks)."""
