"""Who may see and edit what: roles are groups, scope is the admin units on a user's profile.

A unit in a profile covers itself and every unit below it. City staff and superusers see all.
What each role may do is the table of `registry.roles`; `may` is the one place that reads it,
and every write (services, API, staff screens, admin, field app, imports) asks it.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import AdminUnit
from registry.roles import ROLE_TASKS, Role, Task

ROLE_REFUSALS = {
    Task.EDIT_RECORD: gettext_lazy("Only township and city staff edit these records."),
    Task.EDIT_UNITS: gettext_lazy("Only city staff edit the admin units."),
    Task.RUN_PROCEDURE: gettext_lazy(
        "Only township staff and bookkeepers of this village can move its projects."
    ),
    Task.MANAGE_LEASE: gettext_lazy(
        "Only township and city staff and the village bookkeeper manage leases."
    ),
    Task.RUN_AUCTION: gettext_lazy(
        "Only township or city staff of this asset's units run its auction."
    ),
    Task.ISSUE_CODES: gettext_lazy("Only township and city staff issue electronic IDs."),
    Task.IMPORT_ASSETS: gettext_lazy("Only township and city staff import assets."),
    Task.RECORD_FIELD_WORK: gettext_lazy("Only inspectors and supervisors can record field work."),
    Task.OPEN_ACCEPTANCE_FROM_SITE: gettext_lazy(
        "Only inspectors and supervisors can record field work."
    ),
    Task.DEFINE_CHECKLISTS: gettext_lazy("Only township and city staff define checklists."),
    Task.REVIEW_LOGIN_PAUSES: gettext_lazy("Only city staff see and lift paused log-ins."),
    Task.HANDLE_CASES: gettext_lazy(
        "Only the village supervision liaison station and the township discipline office work "
        "villagers' reports."
    ),
    Task.SEE_CONTACTS: gettext_lazy(
        "Only the station head and the township discipline office see a reporter's contact."
    ),
    Task.RUN_TOURS: gettext_lazy("Only the township discipline office runs inspection tours."),
    Task.HANDLE_WARNINGS: gettext_lazy(
        "Only township staff, the village liaison station and the discipline office handle "
        "warnings."
    ),
    Task.KEEP_BOOKS: gettext_lazy(
        "Only the village bookkeeper and the township rural finance office keep the village's "
        "books."
    ),
    Task.APPROVE_PAYMENTS: gettext_lazy(
        "Only the approvers named on a payment request's chain approve it."
    ),
    Task.PUBLISH_DISCLOSURES: gettext_lazy(
        "Only township staff and the rural finance office publish the monthly disclosure."
    ),
    Task.EDIT_POWER_LIST: gettext_lazy("Only township and city staff edit the power list."),
}
SCOPE_REFUSALS = {
    Task.KEEP_BOOKS: gettext_lazy("This village's books are kept by its own bookkeeper."),
    Task.APPROVE_PAYMENTS: gettext_lazy("This request belongs to another village or township."),
    Task.PUBLISH_DISCLOSURES: gettext_lazy(
        "You can only publish disclosures of villages in your own units."
    ),
    Task.HANDLE_CASES: gettext_lazy("This report is handled by another station or office."),
    Task.HANDLE_WARNINGS: gettext_lazy("This warning belongs to another village or township."),
    Task.ISSUE_CODES: gettext_lazy("You can only issue codes for records of your own admin units."),
    Task.IMPORT_ASSETS: gettext_lazy("You can only import into villages of your own admin units."),
    Task.RECORD_FIELD_WORK: gettext_lazy("You can only record field work in your own admin units."),
    Task.OPEN_ACCEPTANCE_FROM_SITE: gettext_lazy(
        "You can only record field work in your own admin units."
    ),
}


def sees_everything(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.CITY in group_names(user)


def group_names(user: User) -> set[str]:
    if not hasattr(user, "_group_names"):
        user._group_names = set(user.groups.values_list("name", flat=True))
    return user._group_names


def unit_ids_in_scope(user: User | AnonymousUser) -> set[int] | None:
    """The ids of every unit the user covers, or None when the user covers all of them."""
    if sees_everything(user):
        return None
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_unit_ids"):
        top = set(AdminUnit.objects.filter(staff__user=user).values_list("pk", flat=True))
        below = set(
            AdminUnit.objects.filter(Q(parent__in=top) | Q(parent__parent__in=top)).values_list(
                "pk", flat=True
            )
        )
        user._unit_ids = top | below
    return user._unit_ids


def in_scope(user: User | AnonymousUser, queryset: QuerySet, unit_path: str) -> QuerySet:
    """Filter a queryset to the records whose `unit_path` (e.g. "village") the user covers."""
    ids = unit_ids_in_scope(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{unit_path}__in": ids})


def covers(user: User | AnonymousUser | None, record: Model) -> bool:
    """Whether the record lies in the user's units: what staff may look at closely (restricted
    fields, documents). Whether they may change it is `may`'s question."""
    if user is None:
        return True
    ids = unit_ids_in_scope(user)
    if ids is None:
        return True
    unit_id = record.village_id_for_scope
    return unit_id is not None and unit_id in ids


def _role_may(user: User | AnonymousUser, task: Task) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or any(task in ROLE_TASKS.get(g, ()) for g in group_names(user))


def may(user: User | AnonymousUser | None, task: Task, record: Model | None = None) -> bool:
    """May `user` do `task` on `record` (without a record: on some record of their units)?

    The one answer to that question, from the role table of `registry.roles`. A superuser may
    do everything, city staff everything city-wide, the other roles their tasks in their own
    units, anonymous visitors nothing; `None` is the system itself, which may.
    """
    if user is None:
        return True
    return _role_may(user, task) and (record is None or covers(user, record))


def ensure_may(user: User | AnonymousUser | None, task: Task, record: Model | None = None) -> None:
    """`may`, or PermissionDenied saying whether the role or the record's units are the reason."""
    if user is not None and not _role_may(user, task):
        raise PermissionDenied(str(ROLE_REFUSALS[task]))
    if not may(user, task, record):
        raise PermissionDenied(
            str(SCOPE_REFUSALS.get(task, _("You can only edit records of your own admin units.")))
        )
