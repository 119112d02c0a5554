"""Budgets of what a villager's phone pays for a plaque page, in one place.

The line is a slow 3G one as measured in the field (750 kbit/s down, 300 ms round trip) on a
phone four times slower than this machine; `tests/e2e/test_page_budget.py` holds each kind of
record page to these numbers, as served by `make run` and by the README's production setup.
"""

PAGE_BYTES = 60_000  # everything of a first visit on the wire: HTML, CSS, scripts, images, fonts
LOAD_SECONDS = 2.5  # from navigation to the load event
LATENCY_MS = 300
DOWNLOAD_KBIT = 750
UPLOAD_KBIT = 250
CPU_SLOWDOWN = 4

# The crowd at one plaque (tests/bench/test_scan_crowd.py): against /log/head in the same run.
CROWD_CLIENTS = 200
CROWD_SECONDS = 20
CROWD_MIN_RATIO = 0.6  # scan pages a second over /log/head answers a second
CROWD_P99_SECONDS = 1.0
