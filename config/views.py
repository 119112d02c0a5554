"""Pages of the site as a whole."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused for its CSRF token (too old, another browser): the site's own page in
    the visitor's language, saying what to do, instead of Django's bare English one."""
    return render(request, "403_csrf.html", status=403)
