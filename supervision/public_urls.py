"""The public pages: reports, receipts, stations, cases (filled in by the public views)."""

urlpatterns: list = []
