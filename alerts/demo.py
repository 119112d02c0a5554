"""The demo's warnings: planted cases for every rule and near misses that must not fire, made
through the services like the rest of the demo, then one full pass of the rules."""

from alerts import demo_leasing, demo_projects, engine


def load(sender=None, **kwargs) -> None:
    demo_projects.plant()
    demo_leasing.plant()
    engine.evaluate_all()
