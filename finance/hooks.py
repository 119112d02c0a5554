"""What finance adds to the rest of the site when Django starts: panels on lower apps' pages,
the demo data, the monthly disclosure's schedule. Each module registers its own part through
its `connect(app)`."""

from django.apps import AppConfig


def connect(app: AppConfig) -> None:
    """Called once from `FinanceConfig.ready`."""
    from finance import demo, panels, tasks
    from finance.models import ApprovalStep, PaymentRequest, Voucher
    from trail.models import Event
    from trail.presenters import register_action_model, register_extra_model

    # The public log reads a request's vouchers and approval steps by their own fields.
    register_action_model(Event.Action.ATTACH, Voucher, subject=PaymentRequest)
    register_extra_model(PaymentRequest, ApprovalStep)
    panels.connect(app)
    tasks.connect(app)
    demo.connect(app)
