"""A first visit to a plaque page fits the budget on a slow line (tests/budgets.py).

Measured in Chromium at phone size with the network and CPU throttled through the DevTools
protocol, against the site as `make run` serves it and as the README's production setup does.
"""

import pytest

from qr.models import ElectronicId
from tests import budgets
from tests.e2e.conftest import PHONE
from tests.servers import make_run_server, production_server

pytestmark = pytest.mark.e2e

KINDS = {"asset": "D", "project": "P", "site": "S"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory, django_db_blocker):
    static_root = tmp_path_factory.mktemp("static")
    with (
        django_db_blocker.unblock(),
        make_run_server() as dev,
        production_server(static_root) as production,
    ):
        yield {"make run": dev, "production": production}


def first_visit(browser, url: str) -> tuple[int, float, list[tuple[str, int, str]]]:
    """Bytes on the wire, seconds to the load event, and (url, bytes, encoding) per request."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": budgets.LATENCY_MS,
            "downloadThroughput": budgets.DOWNLOAD_KBIT * 1000 / 8,
            "uploadThroughput": budgets.UPLOAD_KBIT * 1000 / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": budgets.CPU_SLOWDOWN})
    urls, encodings, sizes = {}, {}, {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.responseReceived",
        lambda e: encodings.__setitem__(
            e["requestId"],
            {k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", ""),
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        seconds = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return (n.loadEventEnd - n.startTime) / 1000; }"
        )
    finally:
        context.close()
    requests = [(urls.get(key, "?"), size, encodings.get(key, "")) for key, size in sizes.items()]
    return sum(size for _url, size, _enc in requests), seconds, requests


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("served_by", ["make run", "production"])
def test_a_first_visit_to_a_plaque_page_fits_the_budget_on_a_slow_line(
    browser, demo_server, servers, kind, served_by
):
    eid = ElectronicId.objects.filter(prefix=KINDS[kind]).order_by("code").first()
    url = f"{servers[served_by]}/e/{eid.code}"
    total, seconds, requests = first_visit(browser, url)
    if seconds > budgets.LOAD_SECONDS:  # a busy test machine: the better of two first visits
        seconds = min(seconds, first_visit(browser, url)[1])
    listing = "\n".join(f"{size:>7} {enc or '-':5} {url}" for url, size, enc in requests)
    print(f"\n{served_by} {kind}: {total} bytes, {seconds:.2f} s\n{listing}")
    assert total <= budgets.PAGE_BYTES, f"{total} bytes on the wire:\n{listing}"
    assert seconds <= budgets.LOAD_SECONDS, f"load took {seconds:.2f} s:\n{listing}"
    assert any("/places/" in url for url, _size, _enc in requests), "the place is drawn"
    for url, _size, encoding in requests:
        if url.endswith((".css", ".js")):
            assert encoding == "gzip", f"{url} was sent uncompressed"
