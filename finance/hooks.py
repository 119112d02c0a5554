"""What finance adds to the rest of the site when Django starts: panels on lower apps' pages,
the demo data, the monthly disclosure's schedule. Each module registers its own part through
its `connect(app)`."""

from django.apps import AppConfig


def connect(app: AppConfig) -> None:
    """Called once from `FinanceConfig.ready`."""
    from finance import demo, panels, tasks

    panels.connect(app)
    tasks.connect(app)
    demo.connect(app)
