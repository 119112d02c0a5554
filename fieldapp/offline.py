"""The field app offline: its service worker, the offline page, and the outbox self-test.

- `/field/sw.js` serves static/fieldapp/sw.js from /field/ (a worker controls only pages at or
  below its own URL) with the app shell's URLs and a cache version put in front of it.
- `/field/offline/` is what the worker shows for a /field/ page never opened while online.
- `/field/manifest.webmanifest` lets a phone add the field app to its home screen, where it opens
  standalone at "my work" (and where iOS keeps its storage, unsent entries included).
- `/field/outbox-probe/` is the outbox's self-test, for staff checking a phone's offline setup:
  a small form sent through the same outbox as every field form. It stores nothing; it answers
  like a real field view (201 the first time a submission id is seen in the session, 200 on a
  replay, with the SHA-256 of each photo) and lists the ids it has seen.
"""

import hashlib
import json
import uuid
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

SW_SOURCE = "fieldapp/sw.js"
# The app shell: what a field page needs to draw itself offline. Missing files are skipped.
SHELL_STATIC = [
    "css/site.css",
    "css/field.css",
    "fieldapp/outbox.css",
    "fieldapp/outbox.js",
    "fieldapp/forms.js",
    "fieldapp/nearby.js",
    "fieldapp/keep.js",
    "fieldapp/phone.css",
    "js/codes.js",
    "fieldapp/scan.js",
    "fieldapp/scan.css",
    "js/wechat_notice.js",
    "vendor/htmx-2.0.4/htmx.min.js",
    "vendor/jsqr-1.4.0/jsQR.js",  # the scanner's decoder where the browser has none
]
PROBE_SESSION_KEY = "outbox_probe_seen"
PROBE_KEEP = 20  # ids remembered per session; a self-test needs only the last few
PHOTO_FIELD = "photo"
THEME_COLOR = "#b91c1c"  # the field header's red (css/field.css --brand)
BACKGROUND_COLOR = "#f8fafc"


def _static_url(name: str) -> str | None:
    if not finders.find(name):
        return None
    try:
        return static(name)
    except ValueError:  # in the source tree but not collected into the manifest yet
        return None


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _worker_source() -> str:
    with open(finders.find(SW_SOURCE), encoding="utf-8") as source:
        return source.read()


def _scope() -> str:
    return reverse("fieldapp-offline:sw").rsplit("/", 1)[0] + "/"


def _build_worker() -> str:
    offline = reverse("fieldapp-offline:offline")
    shell = [url for url in (_static_url(name) for name in SHELL_STATIC) if url] + [offline]
    source = _worker_source()
    version = hashlib.sha256((source + "\n".join(shell)).encode()).hexdigest()[:12]
    config = {
        "version": version,
        "scope": _scope(),
        "offline": offline,
        "shell": shell,
        "staticUrl": settings.STATIC_URL,
        # Manifest storage puts a content hash in every name: a cached copy can never be stale.
        "hashedStatic": static("fieldapp/outbox.js") != settings.STATIC_URL + "fieldapp/outbox.js",
        "logout": [url for url in (_url_or_none("fieldapp:logout"),) if url],
    }
    return f"var CONFIG = {json.dumps(config)};\n{source}"


_built_worker = lru_cache(maxsize=1)(_build_worker)


@require_safe
def service_worker(request):
    # In development the source may change between requests; in production build it once.
    body = _build_worker() if settings.DEBUG else _built_worker()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = _scope()
    # Browsers look for a new worker on every visit; never let a cache answer for the server.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@never_cache
def offline_page(request):
    # No per-user content: the worker caches this page once for everybody on the phone.
    return render(request, "fieldapp/offline.html", {"probe": False, "shared": True})


@require_safe
def manifest(request):
    icons = [
        {"src": static("fieldapp/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("fieldapp/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("fieldapp/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",  # the mark lies well inside the safe circle
        },
        {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "name": _("Qinglian field work"),
        "short_name": _("Field work"),
        "lang": get_language(),
        "start_url": reverse("fieldapp:my-work"),
        "scope": _scope(),
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _seen(request) -> dict:
    return request.session.get(PROBE_SESSION_KEY, {})


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def outbox_probe(request):
    if request.method == "GET":
        seen = _seen(request)
        return render(
            request,
            "fieldapp/offline.html",
            {"probe": True, "client_uuid": uuid.uuid4(), "seen": list(reversed(seen.items()))},
        )
    try:
        client_uuid = str(uuid.UUID(request.POST.get("client_uuid", "")))
    except ValueError:
        return JsonResponse({"errors": [_("The form has no valid submission id.")]}, status=400)
    seen = _seen(request)
    next_url = reverse("fieldapp-offline:probe")
    if client_uuid in seen:
        return JsonResponse({"status": "replayed", "photos": seen[client_uuid], "next": next_url})
    photos = [
        {
            "client_uuid": str(uuid.uuid5(uuid.UUID(client_uuid), f"photo-{index}")),
            "sha256": _sha256(upload),
        }
        for index, upload in enumerate(request.FILES.getlist(PHOTO_FIELD))
    ]
    seen[client_uuid] = photos
    request.session[PROBE_SESSION_KEY] = dict(list(seen.items())[-PROBE_KEEP:])
    return JsonResponse({"status": "stored", "photos": photos, "next": next_url}, status=201)
