from django.utils.functional import SimpleLazyObject

from trail import selectors as trail_selectors


def log_head(request):
    """The latest hash of the public log, fetched only if a template shows it."""
    return {"log_head": SimpleLazyObject(trail_selectors.last_event)}
