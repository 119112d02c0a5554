"""Public pages that are the same for every anonymous visitor, rendered once and shared.

A plaque is scanned by many people at once (a village meeting, a notice-board day, a share in a
WeChat group). Its page is rendered once per version of the public record and served from the
cache to every anonymous visitor after that: the key holds the log's head (every public change
appends an event, `trail.selectors.data_version`), the day (arrears and deadlines are reckoned
on the day), the language and the path with its query. Visitors who are logged in, or who have
a message waiting, get a page of their own.
"""

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from gis.http import make_etag
from trail.selectors import data_version

SHARED_PAGE_SECONDS = 3600


def shared_page_key(request: HttpRequest, name: str) -> str | None:
    """The cache key of the page `name` as this request would see it, or None when this
    visitor's page is their own (logged in, or a message is waiting to be shown)."""
    if request.user.is_authenticated or len(get_messages(request)):
        return None
    version = (data_version(), timezone.localdate(), get_language(), request.get_full_path())
    return f"page:{name}:{make_etag(*version).strip(chr(34))}"
