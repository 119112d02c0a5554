"""The warnings' panels on lower apps' pages (`registry.panels`): the field app's "my work",
where the village's liaison station sees the warnings of its villages, and a village's or
township's page, where staff of that unit see how many are open.

A unit's page is cached and shared among anonymous visitors, so its panel says nothing to
anyone who is not staff of that unit: "" for them, and the page is the same for all of them.
"""

from django.http import HttpRequest
from django.template.loader import render_to_string

from alerts import selectors
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import may


def my_work_panel(request: HttpRequest, obj: object = None) -> str:
    """The active warnings of the user's units, red first, with their counts."""
    user = request.user
    if not user.is_authenticated or not may(user, Task.HANDLE_WARNINGS):
        return ""
    summary = selectors.active_summary(user)
    return render_to_string("alerts/my_work_panel.html", {"summary": summary}, request=request)


def unit_panel(request: HttpRequest, obj: object = None) -> str:
    """On a unit's page, for staff who handle its warnings: the active ones by level."""
    user = request.user
    if not isinstance(obj, AdminUnit) or not user.is_authenticated:
        return ""
    if not may(user, Task.HANDLE_WARNINGS, obj):
        return ""
    filter_name = "village" if obj.level == AdminUnit.Level.VILLAGE else "township"
    context = {
        "unit": obj,
        "summary": selectors.unit_summary(obj),
        "query": f"{filter_name}={obj.code}" if obj.level != AdminUnit.Level.CITY else "",
    }
    return render_to_string("alerts/partials/unit_panel.html", context, request=request)
