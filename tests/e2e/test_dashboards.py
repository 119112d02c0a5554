"""The dashboards in Chromium, on a phone (390x844) and a desktop (1280x800): every chart with
rows is drawn (an ECharts SVG with its bars or line), nothing overflows the screen, no script
error and no CSP violation; with scripts off the tables are all there. Screenshots go to
/tmp/shots/dashboard-<page>-<width>.png."""

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from qr.models import ElectronicId, ScanCount
from tests.e2e.conftest import PHONE, csp_events, log_in, watch_csp

pytestmark = pytest.mark.e2e

SHOTS = Path(tempfile.gettempdir()) / "shots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}
SIZES = {"390": PHONE, "1280": DESKTOP}
PAGES = {
    "public": ("/dashboard/", None),
    "staff": ("/dashboard/staff/", "city"),
    "township": ("/dashboard/staff/", "township"),  # one township: a row per village
}
CHARTS = ("stations", "cases", "alerts", "rules", "projects", "leases", "auctions", "scans")

# Per chart: its table's rows, whether a number in it is not zero, whether ECharts drew it, and
# how many shapes it drew.
DRAWN = """
() => [...document.querySelectorAll('.dash-card[id]')].filter((s) => s.querySelector('table'))
  .map((s) => {
    const chart = s.querySelector('.dash-chart');
    const svg = chart && chart.querySelector('svg');
    const numbers = [...s.querySelectorAll('tbody td.count, tbody td.money')];
    return {
      id: s.id,
      rows: s.querySelectorAll('tbody tr th[scope=row]').length,
      figures: numbers.some((td) => parseFloat(td.textContent.replace(/,/g, '')) !== 0),
      drawn: !!svg && !chart.hidden && chart.getBoundingClientRect().height > 100,
      shapes: svg ? svg.querySelectorAll('path').length : 0,
      text: svg ? svg.textContent : '',
    };
  })
"""


def plant_scans() -> None:
    """A fortnight of scans for the scans chart (the demo has none)."""
    eid = ElectronicId.objects.filter(unit__parent__code="330381102").order_by("pk").first()
    today = timezone.localdate()
    ScanCount.objects.bulk_create(
        ScanCount(electronic_id=eid, day=today - dt.timedelta(days=d), shard=0, count=d % 5 + 1)
        for d in range(14)
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_the_dashboard_draws_every_chart_beside_its_table(browser, demo_server, name, size):
    plant_scans()
    context = browser.new_context(**SIZES[size], reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    violations = watch_csp(page)
    path, user = PAGES[name]
    if user:
        log_in(page, demo_server.url, user)
    page.goto(f"{demo_server.url}{path}")
    page.wait_for_function(
        "document.querySelectorAll('.dash-chart svg').length"
        " === document.querySelectorAll('.dash-chart').length"
    )
    page.wait_for_load_state("networkidle")

    charts = {chart["id"]: chart for chart in page.evaluate(DRAWN)}
    assert set(CHARTS) <= set(charts)
    for chart_id in CHARTS:
        chart = charts[chart_id]
        assert chart["rows"] > 0, chart_id
        if name != "township":  # the whole city has figures for every chart
            assert chart["figures"] and chart["drawn"], chart_id
        if not chart["figures"]:
            assert not chart["drawn"], chart_id  # no empty chart where all is zero
        if chart["drawn"]:
            assert chart["shapes"] >= 3, chart_id
    for chart_id in ("stations", "cases", "leases"):  # the legend, the places on the axis
        spec = page.evaluate(f"JSON.parse(document.getElementById('{chart_id}-data').textContent)")
        drawn = [spec["columns"][s["column"]] for s in spec["series"]]
        places = page.locator(f"section#{chart_id} tbody th").all_inner_texts()
        for label in drawn + places:
            assert label in charts[chart_id]["text"], (chart_id, label)
    width = SIZES[size]["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.dash-grid')).gridTemplateColumns.split(' ')"
        ".length"
    )
    assert columns == (1 if size == "390" else 2)
    if name != "public":
        assert page.locator("#active-alerts li").count() > 0
    if name == "staff":
        assert page.locator("#arrears-leaders tbody tr").count() > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dashboard-{name}-{size}.png"), full_page=True)
    if name == "public":  # a village under another township would be refused: it is cleared
        page.select_option("select[name=village]", "330381102201")
        page.select_option("select[name=township]", "330381001")
        assert page.input_value("select[name=village]") == ""
    assert not errors
    assert not violations and not csp_events(page)
    context.close()


def test_with_scripts_off_the_dashboard_is_its_tables(browser, demo_server):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_server.url}/dashboard/?township=330381102")
    for chart_id in CHARTS:
        section = page.locator(f"section#{chart_id}")
        assert section.locator("table caption").is_visible()
        assert section.locator("a", has_text="CSV").is_visible()
        assert not section.locator(".dash-chart").is_visible()  # no empty box where a chart was
    assert page.locator("section#cases tbody th", has_text="东岙村").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-public-390-noscript.png"), full_page=True)
    context.close()
