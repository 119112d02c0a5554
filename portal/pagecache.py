"""Public pages that are the same for every anonymous visitor, rendered once and shared.

A plaque is scanned by many people at once (a village meeting, a notice-board day, a share in a
WeChat group). Its page is rendered once per version of the public record and served from the
cache to every anonymous visitor after that: the key holds the log's head (every public change
appends an event, `trail.selectors.data_version`), the day (arrears and deadlines are reckoned
on the day), the language and the path with its query. Visitors who are logged in, or who have
a message waiting, get a page of their own.

The body is kept gzip-compressed beside the plain one, so a crowd's phones are not each paid a
compression. A shared page carries no secret (no CSRF token, no nonce is used), so compressing it
reveals nothing (BREACH needs a secret in the body).
"""

import gzip
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from gis.http import make_etag
from trail.selectors import data_version

SHARED_PAGE_SECONDS = 3600


@dataclass(frozen=True)
class SharedPage:
    meta: object  # what the view needs on a hit without reading the database again
    body: bytes
    gzipped: bytes

    def response(self, request: HttpRequest) -> HttpResponse:
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(self.gzipped)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(self.body)
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


def shared_page_key(request: HttpRequest, name: str) -> str | None:
    """The cache key of the page `name` as this request would see it, or None when this
    visitor's page is their own (logged in, or a message is waiting to be shown)."""
    if request.user.is_authenticated or len(get_messages(request)):
        return None
    version = (data_version(), timezone.localdate(), get_language(), request.get_full_path())
    return f"page:{name}:{make_etag(*version).strip(chr(34))}"


def shared_page(key: str | None) -> SharedPage | None:
    return cache.get(key) if key else None


def share_page(key: str | None, response: HttpResponse, meta: object = None) -> None:
    """Keep a rendered 200 page under `key` for the next anonymous visitors."""
    if key and response.status_code == 200 and not response.streaming:
        body = response.content
        page = SharedPage(meta, body, gzip.compress(body, compresslevel=6, mtime=0))
        cache.set(key, page, SHARED_PAGE_SECONDS)
