"""At most `REPORT_LIMIT_PER_HOUR` reports an hour from one client address.

The address is read once, here, and only as a keyed hash (with the hour) names a counter in
Django's cache, which forgets it when the hour is over. It is never stored in the database,
never logged, and the hash cannot be turned back into the address without the server's key.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from config.login_limits import client_address

WINDOW = 3600


@dataclass(frozen=True)
class Window:
    key: str
    retry_after: int


def _window(request: HttpRequest) -> Window:
    now = int(time.time())
    hour = now // WINDOW
    secret = hashlib.sha256(f"qinglian.report-limit:{settings.SECRET_KEY}".encode()).digest()
    address = client_address(request) or ""
    digest = hmac.new(secret, f"{hour}:{address}".encode(), hashlib.sha256).hexdigest()
    return Window(key=f"supervision:reports:{digest}", retry_after=(hour + 1) * WINDOW - now)


def over_limit(request: HttpRequest) -> int:
    """Seconds to wait when this client has sent its reports for the hour, else 0."""
    window = _window(request)
    if cache.get(window.key, 0) >= settings.REPORT_LIMIT_PER_HOUR:
        return max(window.retry_after, 1)
    return 0


def count_report(request: HttpRequest) -> None:
    """One more report from this client this hour."""
    window = _window(request)
    if not cache.add(window.key, 1, timeout=window.retry_after + 60):
        try:
            cache.incr(window.key)
        except ValueError:  # expired between add and incr
            cache.add(window.key, 1, timeout=window.retry_after + 60)
