"""A plaque scanned by a crowd at once (a village meeting, a share in a WeChat group).

Under the README's production setup (gunicorn, 4 workers × 2 threads, PostGIS), CROWD_CLIENTS
simultaneous clients ask for one plaque page for CROWD_SECONDS; in the same run the same crowd
asks for /log/head, the lightest page there is. The scan page must answer at least
CROWD_MIN_RATIO as many requests a second, with no error, no timeout and p99 under
CROWD_P99_SECONDS (tests/budgets.py).
"""

import pytest

from qr.models import ElectronicId
from qr.selectors import scans_on
from tests import budgets
from tests.bench.crowd import crowd
from tests.conftest import demo_back
from tests.servers import production_server


@pytest.fixture
def production(transactional_db, tmp_path, django_db_blocker):
    demo_back()
    with production_server(tmp_path / "static") as base:
        yield base


def test_a_crowd_at_one_plaque_is_served_nearly_as_fast_as_the_log_head(production):
    eid = ElectronicId.objects.filter(prefix="P").order_by("code").first()
    scan_path = f"/e/{eid.code}"
    crowd(production, scan_path, clients=20, seconds=2)  # warm each worker's cache
    crowd(production, "/log/head", clients=20, seconds=2)
    head = crowd(
        production, "/log/head", clients=budgets.CROWD_CLIENTS, seconds=budgets.CROWD_SECONDS
    )
    before = scans_on(eid, __import__("datetime").date.today())
    scans = crowd(
        production, scan_path, clients=budgets.CROWD_CLIENTS, seconds=budgets.CROWD_SECONDS
    )
    ratio = scans.per_second / head.per_second
    print(f"\n{head.line()}\n{scans.line()}\nscan pages / log head = {ratio:.2f}")
    assert scans.failures == 0, scans.line()
    assert ratio >= budgets.CROWD_MIN_RATIO, scans.line()
    assert scans.quantile(0.99) < budgets.CROWD_P99_SECONDS, scans.line()
    counted = scans_on(eid, __import__("datetime").date.today()) - before
    assert counted == len(scans.latencies), "every scan is counted once"
