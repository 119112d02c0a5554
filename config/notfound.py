"""A record that does not exist gets the site's own 404 page even with DEBUG on (`make run`).

With DEBUG on, Django answers a view's Http404 with its technical page, in English, which is
what a villager trying the demo would see for a mistyped record number. Views' Http404s go to
the site's `404.html` in the visitor's language instead; a URL that matches no route still gets
Django's technical page, which is what a developer needs then.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class SiteNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
