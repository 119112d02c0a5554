"""Pieces every write API of the registry shares: who may call, paging, and input parsing."""

from rest_framework import permissions, serializers
from rest_framework.pagination import PageNumberPagination


class ReadOrStaffWrite(permissions.BasePermission):
    """Anyone reads; writing needs a login, and the services check role and scope."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_authenticated


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def given(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request's input, parsed and checked for form; the service checks the rules."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
