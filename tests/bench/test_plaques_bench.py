"""1,000 plaques must come out in under 10 s on this machine (2 cores).

Printed beside a baseline from the same run: encoding the same 1,000 QR symbols alone, so the
ratio shows what layout and PDF writing add on top of the unavoidable QR work.
"""

import io
import time

from qr.codes import format_code
from qr.images import matrix, public_url
from qr.plaques import Plaque, build_sheets

COUNT = 1000
GOAL_SECONDS = 10.0


def plaques() -> list[Plaque]:
    return [
        Plaque(
            code=(code := format_code("B", "102201", i)),
            name=f"东岙村集体房产第{i}号（临街店面）",
            unit="东岙村",
            kind="房产",
            url=public_url(code),
        )
        for i in range(1, COUNT + 1)
    ]


def test_one_thousand_plaques_under_ten_seconds():
    items = plaques()
    start = time.perf_counter()
    for item in items:
        matrix(item.url)
    baseline = time.perf_counter() - start
    for layout in (1, 4, 12):
        out = io.BytesIO()
        start = time.perf_counter()
        build_sheets(items, out, layout=layout)
        elapsed = time.perf_counter() - start
        print(
            f"\nplaques layout={layout:>2}: {COUNT} in {elapsed:.2f} s "
            f"({COUNT / elapsed:.0f}/s, {len(out.getvalue()) / 1e6:.1f} MB); "
            f"QR encoding alone {baseline:.2f} s; ratio {elapsed / baseline:.2f}"
        )
        assert elapsed < GOAL_SECONDS
