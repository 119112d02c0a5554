"""Pieces every write API of the registry shares: who may call, paging, and input parsing."""

from rest_framework import permissions, serializers
from rest_framework.pagination import PageNumberPagination

from registry.scoping import ensure_may, may


class ReadOrMayWrite(permissions.BasePermission):
    """Anyone reads; a write needs one of the view's `write_tasks` (registry.roles), first for
    the user's role, then on the record it is about, as registry.scoping.may decides. A refusal
    is a 403 naming the reason; the services ask the same question again before saving."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        self._ensure(request.user, view.write_tasks, None)
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        self._ensure(request.user, view.write_tasks, obj)
        return True

    @staticmethod
    def _ensure(user, tasks, record) -> None:
        if not any(may(user, task, record) for task in tasks):
            ensure_may(user, tasks[0], record)


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def given(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request's input, parsed and checked for form; the service checks the rules."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
