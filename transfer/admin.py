"""Import jobs in the admin: read-only, for following up what an import did."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from registry.admin import ReadOnlyAdmin
from transfer.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Jobs are made by the import page and changed only by the job runner."""

    list_display = ("created", "file_name", "village", "action", "status", "total", "requested_by")
    list_filter = ("action", "status")
    search_fields = ("file_name", "village__name", "village__code")
    list_select_related = ("village", "requested_by")
    # The upload itself stays off the web (it may hold restricted columns): named, not linked.
    exclude = ("file",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(requested_by=request.user)
