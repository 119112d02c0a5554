"""Who may see and edit what: roles are groups, scope is the admin units on a user's profile.

A unit in a profile covers itself and every unit below it. City staff and superusers see all.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet

from registry.models import AdminUnit


class Role:
    CITY = "city_admin"
    TOWNSHIP = "township_staff"
    SUPERVISOR = "village_supervisor"
    INSPECTOR = "field_inspector"
    BOOKKEEPER = "bookkeeper"

    ALL = (CITY, TOWNSHIP, SUPERVISOR, INSPECTOR, BOOKKEEPER)


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


def can_edit(user: User | None, obj: Model) -> bool:
    """`None` is the system itself (management commands, the demo loader)."""
    if user is None or sees_everything(user):
        return True
    unit_id = obj.village_id_for_scope
    ids = unit_ids_in_scope(user)
    return unit_id is not None and unit_id in ids
