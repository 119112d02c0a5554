"""Limits on wrong passwords, on every way in (django-axes).

Two counters, each over the last `AXES_COOLOFF_TIME`: one per account, one per client address.
An account is refused after `AXES_FAILURE_LIMIT` failures, an address after
`LOGIN_FAILURE_LIMIT_PER_ADDRESS` (higher: a village office puts all its staff behind one
address). The refusal is a cool-off, never a permanent lock, and says in the page's language
when to try again: an HTML page on the login forms, JSON on `/api/token/`, status 429 with
`Retry-After` either way. Staff see the counters in the admin (Axes: access attempts) and can
lift one early there or with `manage.py axes_reset_username <name>`.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext

from fieldapp.backends import user_by_phone


def account_of(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a login names, so that its username and its phone number share one counter.

    A name that matches no user is counted as typed (lower-cased and trimmed), so guessing
    names is limited too.
    """
    typed = ((credentials or {}).get("username") or "").strip()
    if not typed:
        return None
    if User.objects.filter(username=typed).exists():
        return typed
    by_phone = user_by_phone(typed)
    return by_phone.username if by_phone else typed.lower()


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind `PROXY_COUNT` proxies of ours the address the outermost appended.

    Only our own proxies' entries are trusted: anything further left in X-Forwarded-For was
    written by the client and could be anything.
    """
    request = getattr(request, "_request", request)  # DRF wraps the Django request
    count = settings.PROXY_COUNT
    if count > 0:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


class LoginLimitBackend(AxesStandaloneBackend):
    """Axes' gate, first in AUTHENTICATION_BACKENDS: refuses a login in its cool-off.

    A login without a request is no attempt from outside (Django's test client, a management
    command): axes would raise for it, so it is passed on to the real backends unchecked.
    DRF's request (`/api/token/`) is unwrapped, so that the lockout flag lands on the request
    Axes' middleware answers.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        request = getattr(request, "_request", request)
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginLimitHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter.

    Axes compares the largest of its counters with one limit; here the per-account counter
    (`username`, first in `AXES_LOCKOUT_PARAMETERS`) meets `AXES_FAILURE_LIMIT` and the
    per-address one (`ip_address`, second) meets `LOGIN_FAILURE_LIMIT_PER_ADDRESS`.
    """

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        request = getattr(request, "_request", request)  # DRF's wrapper: see LoginLimitBackend
        return super().user_login_failed(sender, credentials, request=request, **kwargs)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On a right password, clear that account's failures only.

        Axes clears every counter the login matches, the address's too: one colleague's log-in
        would then lift the pause of every account guessed from the same address.
        """
        own, _address = self.filter_user_attempts(request, credentials)
        deleted, _ = own.delete()
        return deleted

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The account's failures, raised to its limit while the address is over its own.

        Axes compares this one number with `AXES_FAILURE_LIMIT`, both before a login and right
        after a failure is recorded.
        """
        account, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 with Retry-After, and a sentence saying how many minutes to wait."""
    cool_off = get_cool_off(request) or settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    message = ngettext(
        "Too many wrong passwords. For your account's safety, logging in is paused: "
        "please try again in %(minutes)d minute.",
        "Too many wrong passwords. For your account's safety, logging in is paused: "
        "please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    path = getattr(request, "path", "")
    if path.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest":
        response = JsonResponse(
            {"detail": message, "retry_after_minutes": minutes},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        field = path.startswith("/field/")
        context = {
            "message": message,
            "minutes": minutes,
            "base_template": "fieldapp/base.html" if field else "base.html",
            "login_url": reverse("fieldapp:login" if field else "login"),
        }
        response = render(request, "locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
