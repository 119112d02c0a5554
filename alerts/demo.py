"""The demo's warnings: planted cases for every rule and near misses that must not fire, made
through the services like the rest of the demo, then one full pass of the rules.

The village money's planted cases (W12-W14) are made with the rest of the demo money
(`finance.demo`, which runs first). The projects entered whole before the enforced procedure
(W11's) carry a "paid so far" typed with them: two are paid through the payment services here,
so their figure is their bank payments again (W14's near misses); the third keeps its typed
figure with no payment behind it, and is W14's planted case of a figure that was not paid here.
"""

import datetime as dt

from alerts import demo_leasing, demo_projects, engine
from finance import demo as finance_demo
from projects.models import Project

W14_TYPED = demo_projects.W11_OUT_OF_ORDER[:1]
W14_PAID = demo_projects.W11_OUT_OF_ORDER[1:] + demo_projects.W11_IN_ORDER
PLANTED = {"W14": [spec.name for spec in W14_TYPED]}
NEAR_MISSES = {"W14": [spec.name for spec in W14_PAID]}


def _pay_entered_projects() -> None:
    """The balance of each W14_PAID project paid ten days after its settlement was recorded."""
    projects = Project.objects.filter(name__in=NEAR_MISSES["W14"]).select_related("village")
    finance_demo.pay_projects_in_full(
        [(project, project.settled_on + dt.timedelta(days=10)) for project in projects]
    )


def load(sender=None, **kwargs) -> None:
    demo_projects.plant()
    demo_leasing.plant()
    _pay_entered_projects()
    engine.evaluate_all()
