"""HTTP caching for public layers: ETag, Cache-Control and 304, so a CDN can sit in front.

Callers tag a response with a version of the data they serve (for the record: the head of the
public event log, `registry.selectors.data_version`).
"""

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers

PUBLIC_MAX_AGE = 300


def make_etag(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def conditional(
    request: HttpRequest,
    etag: str,
    build: Callable[[], HttpResponse],
    *,
    max_age: int = PUBLIC_MAX_AGE,
    public: bool = True,
    vary: tuple[str, ...] = (),
) -> HttpResponse:
    """Answer 304 when the client already has this version; otherwise build and tag the body.

    Tags compare weakly: GZipMiddleware hands out `W/"…"`, which browsers send back as is.
    """
    sent = [
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    ]
    response = HttpResponseNotModified() if etag in sent else build()
    response["ETag"] = etag
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True, max_age=0)
    if vary:
        patch_vary_headers(response, vary)
    return response
