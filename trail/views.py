"""The public log (步步留痕) for anyone to download and check without trusting this server.

The page a person reads (`/log/`, naming each record and who acted) is `portal.views.log`."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gis.http import conditional, make_etag
from trail.models import DailyHead, Event
from trail.selectors import data_version


def _head() -> dict:
    last = Event.objects.order_by("-seq").values("seq", "hash", "at").first()
    if last is None:
        return {"head": "0" * 64, "count": 0, "seq": 0, "at": None}
    return {"head": last["hash"], "count": last["seq"], "seq": last["seq"], "at": last["at"]}


@require_safe
def head(request: HttpRequest) -> HttpResponse:
    return conditional(
        request,
        make_etag("log-head", data_version()),
        lambda: JsonResponse(_head()),
        max_age=10,
    )


def _lines():
    events = Event.objects.select_related("subject_type", "unit").order_by("seq")
    for event in events.iterator(chunk_size=2000):
        row = event.as_chain_row()
        row["unit"] = event.unit.code if event.unit else None
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


@require_safe
def events_jsonl(request: HttpRequest) -> HttpResponse:
    """Every event in chain order, one JSON object a line, with every field the hash covers."""

    def build() -> HttpResponse:
        response = StreamingHttpResponse(_lines(), content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="qinglian-events.jsonl"'
        return response

    return conditional(request, make_etag("log-jsonl", data_version()), build, max_age=60)


@require_safe
def heads(request: HttpRequest) -> HttpResponse:
    days = list(DailyHead.objects.values("day", "seq", "hash"))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"heads": days}, json_dumps_params={"default": str})
    return render(request, "trail/log_heads.html", {"days": days, "current": _head()})
