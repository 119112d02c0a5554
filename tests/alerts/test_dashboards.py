"""The dashboards (/dashboard/ and /dashboard/staff/): every figure equals the same count or sum
made directly in SQL over the demo data and what each test adds; the filters change the figures
as they should and a filter not understood is a 400 that says why; each chart's table, its CSV
and its XLSX download hold the same rows as the chart; the public page shows no restricted value;
the staff page needs a staff role and keeps to the user's units."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from alerts import engine
from alerts import services as alert_services
from alerts.models import Alert, AlertChange
from alerts.rules import get_rule
from leasing import services as leasing
from leasing.models import Lease
from leasing.models.auctions import Bid
from projects.models import Project
from qr import services as qr_services
from qr.models import ElectronicId, ScanCount
from registry.models import AdminUnit, Profile
from registry.roles import Role
from supervision.models import Case, ReporterContact

pytestmark = pytest.mark.django_db

CAOCUN, ANYANG = "330381102", "330381001"  # 曹村镇, 安阳街道
DONGAO = "330381102201"  # 东岙村, in Caocun
CHARTS = (
    "stations",
    "cases",
    "alerts",
    "rules",
    "projects",
    "payments",
    "approvals",
    "leases",
    "auctions",
    "scans",
)
ZONE = "Asia/Shanghai"
# The whole public page, however much data: each figure is one or two queries.
QUERY_BUDGET = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())[
    "dashboard:public"
]


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def default_period() -> tuple[dt.date, dt.date]:
    """Twelve whole months ending with this one, as the dashboards show without `from`/`to`."""
    today = timezone.localdate()
    month = today.year * 12 + today.month - 1 - 11
    return dt.date(month // 12, month % 12 + 1, 1), today


# What the page and the downloads say ------------------------------------------------------------

DATA = re.compile(r'<script id="([a-z]+)-data" type="application/json">(.*?)</script>', re.S)


def charts(response) -> dict[str, dict]:
    """What each chart draws: the json_script blocks, by chart id."""
    return {m[1]: json.loads(m[2]) for m in DATA.finditer(response.content.decode())}


def rows_by_code(data: dict) -> dict[str, list]:
    """A per-place chart's rows keyed by division code: [name, code, *figures] → figures."""
    return {row[1]: row[2:] for row in data["rows"]}


class TableText(HTMLParser):
    """The text of each dashboard table, by the id of its section: header row first."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.section = ""
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id", "")
        elif tag == "tr" and self.section:
            self.tables.setdefault(self.section, []).append([])
        elif tag in ("th", "td") and self.section:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.tables[self.section][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(response) -> dict[str, list[list[str]]]:
    parser = TableText()
    parser.feed(response.content.decode())
    return parser.tables


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel on Windows reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_text(value, kind: str) -> str:
    """A value as the CSV writes it (what the chart's JSON or the workbook holds, as text)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if kind == "money":
        return f"{Decimal(str(value)):.2f}"
    if kind == "hours" and isinstance(value, int | float):  # one decimal; "—" for no median
        return f"{Decimal(str(value)):.1f}"
    return "" if value is None else str(value)


# SQL: the same figures, counted directly -----------------------------------------------------

# Per township (t.code) or per village of one township (v.code).
KEYS = {"township": "t.code", "village": "v.code"}
UNITS = """
    JOIN registry_adminunit v ON v.id = {village}
    JOIN registry_adminunit t ON t.id = v.parent_id
"""


def _where_township(township: str | None) -> tuple[str, list]:
    return (" AND t.code = %s", [township]) if township else ("", [])


def sql_stations(by: str, township: str | None = None) -> dict[str, tuple[int, int, int]]:
    where, params = _where_township(township)
    counts = sql(
        f"""SELECT {KEYS[by]}, COUNT(DISTINCT v.id), COUNT(DISTINCT s.id)
        FROM registry_adminunit v JOIN registry_adminunit t ON t.id = v.parent_id
        LEFT JOIN supervision_station s ON s.village_id = v.id
        WHERE v.level = 'village' {where} GROUP BY 1""",
        params,
    )
    members = dict(
        sql(
            f"""SELECT {KEYS[by]}, COUNT(DISTINCT u.id)
            FROM supervision_station s {UNITS.format(village="s.village_id")}
            JOIN registry_profile_units pu ON pu.adminunit_id IN (v.id, t.id)
            JOIN registry_profile p ON p.id = pu.profile_id
            JOIN auth_user u ON u.id = p.user_id AND u.is_active
            JOIN auth_user_groups ug ON ug.user_id = u.id
            JOIN auth_group g ON g.id = ug.group_id AND g.name = %s
            WHERE TRUE {where} GROUP BY 1""",
            [Role.SUPERVISOR, *params],
        )
    )
    return {code: (villages, stations, members.get(code, 0)) for code, villages, stations in counts}


def sql_cases(by: str, start, end, township=None) -> dict[str, tuple[int, int, int]]:
    where, params = _where_township(township)
    reached = (
        "EXISTS (SELECT 1 FROM supervision_casestate cs WHERE cs.case_id = c.id AND cs.state = %s)"
    )
    rows = sql(
        f"""SELECT {KEYS[by]}, COUNT(*), COUNT(*) FILTER (WHERE {reached}),
                   COUNT(*) FILTER (WHERE {reached})
        FROM supervision_case c {UNITS.format(village="c.village_id")}
        WHERE c.state <> 'merged' AND (c.created AT TIME ZONE %s)::date BETWEEN %s AND %s {where}
        GROUP BY 1""",
        ["found", "rectified", ZONE, start, end, *params],
    )
    return {code: tuple(numbers) for code, *numbers in rows}


def sql_alerts_by_month(start, end) -> dict[str, list[int]]:
    rows = sql(
        """SELECT to_char(at AT TIME ZONE %s, 'YYYY-MM'), kind, level, COUNT(*)
        FROM alerts_alertchange
        WHERE (at AT TIME ZONE %s)::date BETWEEN %s AND %s
          AND kind IN ('raised', 'reopened', 'resolved')
        GROUP BY 1, 2, 3""",
        [ZONE, ZONE, start, end],
    )
    months: dict[str, list[int]] = {}
    for month, kind, level, n in rows:
        numbers = months.setdefault(month, [0, 0, 0])
        numbers[2 if kind == "resolved" else 0 if level == "yellow" else 1] += n
    return months


def sql_rules(start, end) -> dict[str, list[int]]:
    rules: dict[str, list[int]] = {}
    for rule, level, n in sql(
        """SELECT rule, level, COUNT(*) FROM alerts_alert
        WHERE state IN ('open', 'acknowledged', 'case') GROUP BY 1, 2"""
    ):
        rules.setdefault(rule, [0, 0, 0])[0 if level == "yellow" else 1] += n
    for rule, n in sql(
        """SELECT a.rule, COUNT(*) FROM alerts_alertchange c
        JOIN alerts_alert a ON a.id = c.alert_id
        WHERE c.kind IN ('raised', 'reopened') AND (c.at AT TIME ZONE %s)::date BETWEEN %s AND %s
        GROUP BY 1""",
        [ZONE, start, end],
    ):
        rules.setdefault(rule, [0, 0, 0])[2] += n
    return rules


def sql_projects(start, end, township=None) -> dict[str, tuple]:
    where, params = _where_township(township)
    rows = sql(
        f"""SELECT p.stage, COUNT(*), COALESCE(SUM(p.budget_price), 0),
                   COALESCE(SUM(p.contract_amount), 0), COALESCE(SUM(p.settlement_amount), 0),
                   COALESCE(SUM(p.paid_amount), 0)
        FROM projects_project p {UNITS.format(village="p.village_id")}
        WHERE COALESCE(p.proposed_on, (p.created AT TIME ZONE %s)::date) <= %s
          AND (p.settled_on IS NULL OR p.settled_on >= %s) {where}
        GROUP BY 1""",
        [ZONE, end, start, *params],
    )
    return {stage: tuple(numbers) for stage, *numbers in rows}


def sql_leases(by: str, start, end, township=None) -> dict[str, list]:
    """Leases running in the period; rent received in it (SQL); rent due in it and owed at its
    end (the payment schedule walked by Lease.amount_due over the rows SQL selected)."""
    where, params = _where_township(township)
    asof = min(end, timezone.localdate())
    rows = sql(
        f"""SELECT {KEYS[by]}, l.start_on, l.end_on, l.annual_rent, l.payment_schedule,
            (SELECT COALESCE(SUM(amount), 0) FROM leasing_leasepayment
             WHERE lease_id = l.id AND paid_on BETWEEN %s AND %s),
            (SELECT COALESCE(SUM(amount), 0) FROM leasing_leasepayment
             WHERE lease_id = l.id AND paid_on <= %s)
        FROM leasing_lease l JOIN registry_asset a ON a.id = l.asset_id
        {UNITS.format(village="a.village_id")}
        WHERE l.start_on <= %s AND l.end_on > %s {where}""",
        [start, asof, asof, end, start, *params],
    )
    figures: dict[str, list] = {}
    for code, start_on, end_on, rent, schedule, received, paid in rows:
        lease = Lease(start_on=start_on, end_on=end_on, annual_rent=rent, payment_schedule=schedule)
        due_by = lease.amount_due(asof)
        due = due_by - lease.amount_due(start - dt.timedelta(days=1))
        numbers = figures.setdefault(code, [0, Decimal(0), Decimal(0), Decimal(0)])
        numbers[0] += 1
        numbers[1] += due
        numbers[2] += received
        numbers[3] += max(due_by - paid, Decimal(0))
    return figures


def sql_auctions(start, end, township=None) -> dict[str, tuple]:
    where, params = _where_township(township)
    rows = sql(
        f"""SELECT x.status, COUNT(*), COALESCE(SUM(x.reserve_price), 0),
                   COALESCE(SUM(x.winning_amount), 0)
        FROM leasing_auction x JOIN registry_asset a ON a.id = x.asset_id
        {UNITS.format(village="a.village_id")}
        WHERE x.held_on BETWEEN %s AND %s {where} GROUP BY 1""",
        [start, end, *params],
    )
    return {status: tuple(numbers) for status, *numbers in rows}


def sql_scans(start, end, township=None) -> list[tuple[str, int]]:
    """Scans per day of the codes of the township and its villages (or all codes)."""
    where = ""
    params: list = [start, end]
    if township:
        where = """AND e.unit_id IN (SELECT id FROM registry_adminunit WHERE code = %s
                   UNION SELECT v.id FROM registry_adminunit v
                   JOIN registry_adminunit t ON t.id = v.parent_id WHERE t.code = %s)"""
        params += [township, township]
    rows = sql(
        f"""SELECT s.day, SUM(s.count) FROM qr_scancount s
        JOIN qr_electronicid e ON e.id = s.electronic_id_id
        WHERE s.day BETWEEN %s AND %s {where} GROUP BY 1 HAVING SUM(s.count) > 0 ORDER BY 1""",
        params,
    )
    return [(day.isoformat(), n) for day, n in rows]


def sql_payments(start, end, township=None) -> dict[str, tuple]:
    """Per month of the transfer's date: requests paid, amount, median hours draft to paid."""
    where, params = _where_township(township)
    rows = sql(
        f"""SELECT to_char(r.paid_on, 'YYYY-MM'), COUNT(*), SUM(r.amount),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.time_to_paid))
        FROM finance_paymentrequest r {UNITS.format(village="r.village_id")}
        WHERE r.state = 'paid' AND r.paid_on BETWEEN %s AND %s {where} GROUP BY 1""",
        [start, end, *params],
    )
    return {month: (n, amount, hours(seconds)) for month, n, amount, seconds in rows}


def sql_payments_median(start, end) -> Decimal | str:
    [(seconds,)] = sql(
        """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM time_to_paid))
        FROM finance_paymentrequest WHERE state = 'paid' AND paid_on BETWEEN %s AND %s""",
        [start, end],
    )
    return "—" if seconds is None else hours(seconds)


def hours(seconds) -> Decimal:
    return (Decimal(str(seconds)) / 3600).quantize(Decimal("0.1"))


def sql_approvals(start, end, township=None) -> dict[str, tuple]:
    """Per approving role: decisions taken in the period, the median and the longest wait since
    the submission or the step decided before; and the bank transfer after the approval."""
    where, params = _where_township(township)
    steps = sql(
        f"""WITH s AS (
            SELECT st.role, st.decided_at,
                   COALESCE(LAG(st.decided_at) OVER (PARTITION BY st.request_id
                                                      ORDER BY st.position),
                            r.submitted_at) AS since
            FROM finance_approvalstep st JOIN finance_paymentrequest r ON r.id = st.request_id
            {UNITS.format(village="r.village_id")}
            WHERE st.decision IN ('approved', 'refused') {where})
        SELECT role, COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - since)),
               MAX(EXTRACT(EPOCH FROM decided_at - since))
        FROM s WHERE (decided_at AT TIME ZONE %s)::date BETWEEN %s AND %s GROUP BY 1""",
        [*params, ZONE, start, end],
    )
    figures = {role: (n, hours(median), hours(longest)) for role, n, median, longest in steps}
    [(n, median, longest)] = sql(
        f"""SELECT COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.paid_at
                                                                   - r.approved_at)),
               MAX(EXTRACT(EPOCH FROM r.paid_at - r.approved_at))
        FROM finance_paymentrequest r {UNITS.format(village="r.village_id")}
        WHERE r.state = 'paid' AND r.paid_on BETWEEN %s AND %s {where}""",
        [start, end, *params],
    )
    if n:
        figures["bank"] = (n, hours(median), hours(longest))
    return figures


def caocun_villages() -> set[str]:
    rows = sql(
        """SELECT v.code FROM registry_adminunit v JOIN registry_adminunit t ON t.id = v.parent_id
        WHERE t.code = %s""",
        [CAOCUN],
    )
    return {code for (code,) in rows}


def money(values) -> list[Decimal]:
    return [Decimal(str(v)).quantize(Decimal("0.01")) for v in values]


# What the tests add to the demo ---------------------------------------------------------------


@pytest.fixture
def more_data():
    """Beyond the demo: station members at township and village level (and one who left),
    scans on several days (one before the period), warnings raised and resolved in earlier
    months (and one before the period), a payment, a village supervisor's history."""
    start, today = default_period()
    caocun = AdminUnit.objects.get(code=CAOCUN)
    supervisors = Group.objects.get(name=Role.SUPERVISOR)
    for name, active, unit in (
        ("sv-township", True, caocun),
        ("sv-left", False, caocun),
        ("sv-dongao", True, AdminUnit.objects.get(code=DONGAO)),
    ):
        user = User.objects.create(username=name, first_name=name, is_active=active)
        user.groups.add(supervisors)
        Profile.objects.get_or_create(user=user)[0].units.add(unit)
    caocun_code = ElectronicId.objects.filter(unit__parent=caocun).order_by("pk").first()
    anyang_code = ElectronicId.objects.filter(unit__parent__code=ANYANG).order_by("pk").first()
    for _ in range(3):
        qr_services.record_scan(caocun_code.pk)
    for days_ago, eid, shard, count in (
        (5, caocun_code, 0, 4),
        (5, caocun_code, 1, 2),
        (40, anyang_code, 0, 7),
        (400, caocun_code, 0, 9),  # before the period
    ):
        ScanCount.objects.create(
            electronic_id=eid, day=today - dt.timedelta(days=days_ago), shard=shard, count=count
        )
    alert = Alert.objects.filter(unit__parent=caocun).order_by("pk").first()
    if alert is None:
        alert = Alert.objects.filter(unit=caocun).order_by("pk").first()
    zone = timezone.get_current_timezone()
    for when, kind, level in (
        (dt.datetime(start.year, start.month, 3, 10, tzinfo=zone), "raised", "red"),
        (dt.datetime(start.year, start.month, 20, 10, tzinfo=zone), "resolved", "yellow"),
        (dt.datetime(start.year - 1, 6, 1, 10, tzinfo=zone), "raised", "yellow"),
    ):
        AlertChange.objects.create(alert=alert, kind=kind, level=level, at=when)
    lease = Lease.objects.filter(
        asset__village__parent=caocun, start_on__lte=today, end_on__gt=today
    ).first()
    leasing.record_lease_payment(
        lease, actor=None, paid_on=today - dt.timedelta(days=2), amount=Decimal("1234.50")
    )
    return {"alert": alert, "lease": lease}


# Figures = SQL --------------------------------------------------------------------------------


def test_public_figures_equal_the_same_counts_made_in_sql(client, more_data):
    start, end = default_period()
    response = client.get("/dashboard/")
    assert response.status_code == 200
    data = charts(response)
    assert set(data) == set(CHARTS)
    townships = {
        code for (code,) in sql("SELECT code FROM registry_adminunit WHERE level = 'township'")
    }

    stations = rows_by_code(data["stations"])
    assert set(stations) == townships
    expected = sql_stations("township")
    for code, figures in stations.items():
        assert tuple(figures) == expected.get(code, (0, 0, 0)), code
    assert stations[CAOCUN][2] >= 2  # the township-wide member and the Dong'ao one count

    cases = rows_by_code(data["cases"])
    expected_cases = sql_cases("township", start, end)
    assert sum(c[0] for c in expected_cases.values()) > 0
    for code, figures in cases.items():
        assert tuple(figures) == expected_cases.get(code, (0, 0, 0)), code

    months = {row[0]: row[1:] for row in data["alerts"]["rows"]}
    assert len(months) == 12 and min(months) == f"{start:%Y-%m}" and max(months) == f"{end:%Y-%m}"
    expected_months = sql_alerts_by_month(start, end)
    assert expected_months[f"{start:%Y-%m}"] == [0, 1, 1]  # what the fixture planted
    for month, figures in months.items():
        assert figures == expected_months.get(month, [0, 0, 0]), month

    rules = {row[0]: row[2:] for row in data["rules"]["rows"]}
    expected_rules = sql_rules(start, end)
    assert sum(r[0] + r[1] for r in expected_rules.values()) > 0
    for rule, figures in rules.items():
        assert figures == expected_rules.get(rule, [0, 0, 0]), rule
    assert set(expected_rules) <= set(rules)

    stage_labels = {label: stage for stage, label in _stage_labels()}
    expected_projects = sql_projects(start, end)
    assert len(data["projects"]["rows"]) == 6
    for label, n, *amounts in data["projects"]["rows"]:
        want = expected_projects.get(stage_labels[label], (0, 0, 0, 0, 0))
        assert [n, *money(amounts)] == [want[0], *money(want[1:])], label

    leases = rows_by_code(data["leases"])
    expected_leases = sql_leases("township", start, end)
    assert sum(f[0] for f in expected_leases.values()) > 0
    for code, (n, *amounts) in leases.items():
        want = expected_leases.get(code, [0, 0, 0, 0])
        assert [n, *money(amounts)] == [want[0], *money(want[1:])], code

    status_labels = {str(label): status for status, label in _auction_labels()}
    expected_auctions = sql_auctions(start, end)
    for label, n, *amounts in data["auctions"]["rows"]:
        want = expected_auctions.get(status_labels[label], (0, 0, 0))
        assert [n, *money(amounts)] == [want[0], *money(want[1:])], label

    assert [tuple(row) for row in data["scans"]["rows"]] == sql_scans(start, end)
    assert len(data["scans"]["rows"]) == 3  # today, 5 and 40 days ago; not 400 days ago


def _stage_labels():
    from projects.models.projects import Stage

    return [(stage.value, str(stage.label)) for stage in Stage]


def _auction_labels():
    from leasing.models.auctions import Auction

    return list(Auction.Status.choices)


def test_the_headline_numbers_add_up_the_tables(client, more_data):
    response = client.get("/dashboard/")
    data = charts(response)
    text = response.content.decode()
    headline = [dd for _dt, dd in re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", text)]

    def total(chart: str, column: int) -> object:
        return sum(row[column] for row in data[chart]["rows"])

    members = sql(
        """SELECT COUNT(DISTINCT u.id) FROM supervision_station s
        JOIN registry_adminunit v ON v.id = s.village_id
        JOIN registry_profile_units pu ON pu.adminunit_id IN (v.id, v.parent_id)
        JOIN registry_profile p ON p.id = pu.profile_id
        JOIN auth_user u ON u.id = p.user_id AND u.is_active
        JOIN auth_user_groups ug ON ug.user_id = u.id
        JOIN auth_group g ON g.id = ug.group_id AND g.name = %s""",
        [Role.SUPERVISOR],
    )[0][0]
    assert members >= 3
    assert headline == [
        str(total("stations", 3)),
        str(members),
        str(total("cases", 2)),
        str(total("cases", 3)),
        str(total("cases", 4)),
        str(total("rules", 3)),
        str(total("rules", 2)),
        str(total("projects", 1)),
        f"{sum(money(row[5] for row in data['leases']['rows'])):,.2f}",  # grouped by thousands
        str(total("payments", 1)),
        str(sql_payments_median(*default_period())),
    ]


# Filters --------------------------------------------------------------------------------------


def test_a_township_shows_its_villages_with_their_own_figures(client, more_data):
    start, end = default_period()
    response = client.get(f"/dashboard/?township={CAOCUN}")
    assert response.status_code == 200
    data = charts(response)
    stations = rows_by_code(data["stations"])
    assert set(stations) == caocun_villages()
    expected = sql_stations("village", CAOCUN)
    for code, figures in stations.items():
        assert tuple(figures) == expected.get(code, (0, 0, 0)), code
    cases = sql_cases("village", start, end, CAOCUN)
    for code, figures in rows_by_code(data["cases"]).items():
        assert tuple(figures) == cases.get(code, (0, 0, 0)), code
    leases = sql_leases("village", start, end, CAOCUN)
    for code, (n, *amounts) in rows_by_code(data["leases"]).items():
        want = leases.get(code, [0, 0, 0, 0])
        assert [n, *money(amounts)] == [want[0], *money(want[1:])], code
    projects = sql_projects(start, end, CAOCUN)
    assert sum(row[1] for row in data["projects"]["rows"]) == sum(p[0] for p in projects.values())
    whole_city = charts(client.get("/dashboard/"))
    assert sum(r[1] for r in data["projects"]["rows"]) < sum(
        r[1] for r in whole_city["projects"]["rows"]
    )
    assert [tuple(row) for row in data["scans"]["rows"]] == sql_scans(start, end, CAOCUN)
    assert len(data["scans"]["rows"]) == 2  # Anyang's scans are not Caocun's


def test_a_village_shows_only_its_own_row(client, more_data):
    start, end = default_period()
    data = charts(client.get(f"/dashboard/?village={DONGAO}"))
    assert [row[1] for row in data["stations"]["rows"]] == [DONGAO]
    assert [row[1] for row in data["leases"]["rows"]] == [DONGAO]
    expected = sql_leases("village", start, end, CAOCUN)[DONGAO]
    n, *amounts = data["leases"]["rows"][0][2:]
    assert [n, *money(amounts)] == [expected[0], *money(expected[1:])]


def test_the_period_changes_the_figures(client, more_data):
    """The demo's auctions: one awarded on 2026-09-15, one failed on 2026-09-20."""
    response = client.get("/dashboard/?from=2026-09-16&to=2026-09-30")
    assert response.status_code == 200
    data = charts(response)
    auctions = {row[0]: row[1] for row in data["auctions"]["rows"]}
    expected = sql_auctions(dt.date(2026, 9, 16), dt.date(2026, 9, 30))
    assert sum(auctions.values()) == sum(a[0] for a in expected.values()) == 1
    assert [row[0] for row in data["alerts"]["rows"]] == ["2026-09"]
    wider = charts(client.get("/dashboard/?from=2026-09-01&to=2026-09-30"))
    assert sum(row[1] for row in wider["auctions"]["rows"]) == 2
    start, end = dt.date(2026, 9, 16), dt.date(2026, 9, 30)
    cases = sql_cases("township", start, end)
    for code, figures in rows_by_code(data["cases"]).items():
        assert tuple(figures) == cases.get(code, (0, 0, 0)), code
    assert sum(sum(c) for c in cases.values()) < sum(
        sum(c) for c in sql_cases("township", *default_period()).values()
    )
    projects = sql_projects(start, end)
    assert [row[1] for row in data["projects"]["rows"]] == [
        projects.get(stage, (0,))[0] for stage, _label in _stage_labels()
    ]
    leases = sql_leases("township", start, end)
    for code, (n, *amounts) in rows_by_code(data["leases"]).items():
        want = leases.get(code, [0, 0, 0, 0])
        assert [n, *money(amounts)] == [want[0], *money(want[1:])], code


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("township=12x", "A division code has 6, 9 or 12 digits"),
        ("township=330381999", "No township or subdistrict has the division code 330381999"),
        ("township=330381102201", "No township or subdistrict has the division code"),
        ("village=330381102999", "No village or community has the division code"),
        (f"township={ANYANG}&village={DONGAO}", "东岙村 is not in 安阳街道"),
        ("from=2026-02-30", "“from” must be a day written like 2026-01-31"),
        ("to=yesterday", "“to” must be a day written like 2026-01-31"),
        ("from=2026-10-01&to=2026-01-01", "The period ends (2026-01-01) before it starts"),
        ("from=0001-01-01&to=0001-02-01", "“from” must lie between 1900-01-01 and 2100-12-31"),
        ("from=2000-01-01&to=2026-01-01", "A period can be at most ten years long"),
    ],
)
def test_a_filter_not_understood_is_a_400_that_says_why(client, query, reason):
    response = client.get(f"/dashboard/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not charts(response)  # no figures that look like an answer
    download = client.get(f"/dashboard/cases.csv?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert download.status_code == 400
    assert reason in download.content.decode()


def test_full_width_digits_in_a_code_are_read(client):
    response = client.get("/dashboard/?township=３３０３８１１０２")
    assert response.status_code == 200
    assert len(charts(response)["stations"]["rows"]) == 4


@pytest.mark.parametrize("path", ["/dashboard/nope.csv", "/dashboard/staff.xlsx"])
def test_an_unknown_chart_is_404(client, path):
    assert client.get(path).status_code == 404


def test_an_unknown_chart_of_the_staff_dashboard_is_404(client, demo_user):
    client.force_login(demo_user("city"))
    assert client.get("/dashboard/staff/nope.xlsx").status_code == 404
    assert client.get("/dashboard/staff/cases.pdf").status_code == 404


# Tables and downloads -------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_each_table_its_csv_and_its_xlsx_hold_the_charts_rows(client, more_data, chart):
    query = f"?township={CAOCUN}&from=2025-11-01&to=2026-11-30"
    page = client.get(f"/dashboard/{query}")
    data = charts(page)[chart]
    table = html_tables(page)[chart]
    expected = [
        [as_text(v, k) for v, k in zip(row, data["kinds"], strict=True)] for row in data["rows"]
    ]
    assert data["rows"], chart

    assert table[0] == data["columns"]
    assert [[cell.replace(",", "") for cell in row] for row in table[1:]] == expected

    downloaded = client.get(f"/dashboard/{chart}.csv{query}")
    assert downloaded.status_code == 200
    assert downloaded["Content-Type"].startswith("text/csv")
    assert "attachment" in downloaded["Content-Disposition"]
    rows = csv_rows(downloaded)
    assert rows[0] == data["columns"]
    assert rows[1:] == expected

    workbook = client.get(f"/dashboard/{chart}.xlsx{query}")
    assert workbook.status_code == 200
    rows = xlsx_rows(workbook)
    assert rows[0] == data["columns"]
    kinds = data["kinds"]
    assert [
        [as_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows[1:]
    ] == expected
    for row in rows[1:]:
        for value, kind in zip(row, kinds, strict=True):
            if kind in ("count", "money"):
                assert isinstance(value, int | float), (chart, value)  # numbers, not text


def test_a_table_is_labelled_for_screen_readers(client):
    text = client.get("/dashboard/").content.decode()
    section = text[text.index('<section class="dash-card" id="cases"') :]
    section = section[: section.index("</section>")]
    assert '<caption id="cases-caption">' in section
    assert section.count('<th scope="col"') == 5
    assert '<th scope="row" class="label">' in section
    assert 'aria-hidden="true"' in section  # the chart: the table says it all


def test_a_chart_with_nothing_to_draw_is_left_out_and_its_table_stays(client):
    text = client.get("/dashboard/?from=2020-01-01&to=2020-12-31").content.decode()
    assert sql_auctions(dt.date(2020, 1, 1), dt.date(2020, 12, 31)) == {}
    assert 'data-chart="auctions"' not in text
    assert '<caption id="auctions-caption">' in text
    assert 'data-chart="stations"' in text  # today's stations, whatever the period


def test_echarts_loads_only_on_the_dashboards(client):
    assert "echarts" in client.get("/dashboard/").content.decode()
    assert "echarts" not in client.get("/supervision/").content.decode()


# Privacy --------------------------------------------------------------------------------------


def test_the_public_dashboard_shows_no_restricted_value(client, more_data):
    person = Lease.objects.filter(tenant_kind="person").exclude(tenant_contact="").first()
    assert person is not None
    secrets = {person.tenant_name, person.tenant_contact}
    secrets |= set(Bid.objects.values_list("bidder_name", flat=True)[:5])
    secrets |= {c.text[:20] for c in Case.objects.exclude(text="")[:5]}
    for contact in ReporterContact.objects.all()[:5]:
        secrets |= {contact.name, contact.phone, contact.email}
    secrets.discard("")
    pages = [client.get("/dashboard/"), client.get(f"/dashboard/?township={CAOCUN}")]
    bodies = [p.content.decode() for p in pages]
    for chart in CHARTS:
        bodies.append(b"".join(client.get(f"/dashboard/{chart}.csv").streaming_content).decode())
    for secret in secrets:
        for body in bodies:
            assert secret not in body
    assert "leases-most-in-arrears" not in bodies[0] and "arrears-leaders" not in bodies[0]


# Staff ----------------------------------------------------------------------------------------


def test_the_staff_dashboard_needs_a_login(client):
    response = client.get("/dashboard/staff/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert client.get("/dashboard/staff/cases.csv").status_code == 302


@pytest.mark.parametrize("username", ["bookkeeper", "inspector", "supervisor"])
def test_the_staff_dashboard_is_for_township_and_city_staff(client, demo_user, username):
    client.force_login(demo_user(username))
    assert client.get("/dashboard/staff/").status_code == 403
    assert client.get("/dashboard/staff/cases.csv").status_code == 403


@pytest.mark.parametrize("username", ["city", "township", "discipline"])
def test_staff_of_the_township_and_the_city_open_it(client, demo_user, username):
    client.force_login(demo_user(username))
    assert client.get("/dashboard/staff/").status_code == 200


def test_township_staff_see_their_townships_villages_only(client, demo_user, more_data):
    start, end = default_period()
    client.force_login(demo_user("township"))
    response = client.get("/dashboard/staff/")
    data = charts(response)
    expected = sql_cases("village", start, end, CAOCUN)
    cases = rows_by_code(data["cases"])
    assert set(cases) == caocun_villages()
    for code, figures in cases.items():
        assert tuple(figures) == expected.get(code, (0, 0, 0)), code
    rules = {row[0]: row[2:4] for row in data["rules"]["rows"]}
    caocun_rules: dict[str, list[int]] = {}
    for rule, level, n in sql(
        """SELECT a.rule, a.level, COUNT(*) FROM alerts_alert a
        JOIN registry_adminunit u ON u.id = a.unit_id
        LEFT JOIN registry_adminunit p ON p.id = u.parent_id
        WHERE a.state IN ('open', 'acknowledged', 'case') AND (u.code = %s OR p.code = %s)
        GROUP BY 1, 2""",
        [CAOCUN, CAOCUN],
    ):
        caocun_rules.setdefault(rule, [0, 0])[0 if level == "yellow" else 1] += n
    for rule, figures in rules.items():
        assert figures == caocun_rules.get(rule, [0, 0]), rule
    assert [tuple(r) for r in data["scans"]["rows"]] == sql_scans(start, end, CAOCUN)

    download = csv_rows(client.get("/dashboard/staff/cases.csv"))
    assert {row[1] for row in download[1:]} == set(cases)

    other = client.get(f"/dashboard/staff/?township={ANYANG}", HTTP_ACCEPT_LANGUAGE="en")
    assert other.status_code == 403
    assert "安阳街道 is not one of your units." in other.content.decode()
    assert not charts(other)
    assert client.get(f"/dashboard/staff/cases.csv?township={ANYANG}").status_code == 403


def test_the_city_sees_every_township(client, demo_user):
    client.force_login(demo_user("city"))
    data = charts(client.get("/dashboard/staff/"))
    assert len(data["cases"]["rows"]) == AdminUnit.objects.filter(level="township").count()


def test_the_staff_dashboard_lists_the_warnings_of_the_users_units(client, demo_user, more_data):
    client.force_login(demo_user("township"))
    text = client.get("/dashboard/staff/").content.decode()
    section = text[text.index('id="active-alerts"') : text.index('id="arrears-leaders"')]
    active = Alert.objects.filter(state__in=("open", "acknowledged", "case"))
    mine = active.filter(unit__parent__code=CAOCUN) | active.filter(unit__code=CAOCUN)
    assert mine.exists()
    assert f'<span class="badge">{mine.count()}</span>' in section
    listed = re.findall(r'<li class="level-(red|yellow)">', section)
    assert len(listed) == min(mine.count(), 20)
    assert listed == sorted(listed, key=lambda level: level != "red")  # red first
    for alert in mine.filter(level="red")[:3]:
        assert alert.subject_label in section
    elsewhere = active.exclude(unit__parent__code=CAOCUN).exclude(unit__code=CAOCUN)
    labels = {a.subject_label for a in mine}
    for alert in elsewhere.exclude(subject_label="")[:10]:
        if alert.subject_label not in labels:
            assert alert.subject_label not in section


def test_the_staff_dashboard_lists_the_leases_most_in_arrears(client, demo_user):
    client.force_login(demo_user("city"))
    text = client.get("/dashboard/staff/").content.decode()
    section = text[text.index('id="arrears-leaders"') :]
    section = section[: section.index("</section>")]
    start, end = default_period()
    asof = min(end, timezone.localdate())
    owing = sorted(
        (
            (lease.arrears(asof, _paid(lease, asof)), lease)
            for lease in Lease.objects.filter(start_on__lte=end, end_on__gt=start)
        ),
        key=lambda pair: (-pair[0], pair[1].pk),
    )
    owing = [(owed, lease) for owed, lease in owing if owed > 0][:10]
    assert owing
    rows = re.findall(r"<tr><th scope=\"row\" class=\"label\">(.*?)</tr>", section, re.S)
    assert len(rows) == len(owing)
    for row, (owed, lease) in zip(rows, owing, strict=True):
        assert lease.asset.name in row
        assert f"{owed:.2f}" in row
        assert lease.tenant_public_name in row
        if lease.tenant_kind == "person":
            assert lease.tenant_name not in row


def _paid(lease: Lease, asof: dt.date) -> Decimal:
    return sum((p.amount for p in lease.payments.filter(paid_on__lte=asof)), Decimal(0))


# Caching and cost ------------------------------------------------------------------------------


def test_the_shared_public_page_shows_what_the_warnings_engine_changed(client):
    """The engine raises and resolves warnings without an event in the public log (the nightly
    pass, or the queued evaluation that follows a change): the page shared by anonymous visitors
    must not keep the warnings it was drawn with."""

    def w06() -> list[int]:
        rows = charts(client.get("/dashboard/"))["rules"]["rows"]
        return next(row[2:4] for row in rows if row[0] == "W06")

    before = w06()
    alert = Alert.objects.filter(rule="W06", state="open").first()
    Project.objects.filter(pk=alert.subject_id).update(contract_amount=F("budget_price"))
    engine.evaluate(get_rule("W06"))
    after = w06()
    assert after != before
    assert after == sql_rules(*default_period()).get("W06", [0, 0, 0])[:2]


def test_the_public_page_is_drawn_once_for_anonymous_visitors(
    client, django_assert_max_num_queries
):
    client.get("/dashboard/")
    with django_assert_max_num_queries(3):
        assert client.get("/dashboard/").status_code == 200


def test_the_public_page_stays_within_its_query_budget_whatever_the_data(client, more_data):
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dashboard/?township=330381102").status_code == 200
    assert len(few) <= QUERY_BUDGET
    lease = more_data["lease"]
    for days in (3, 4, 5):
        leasing.record_lease_payment(
            lease,
            actor=None,
            paid_on=timezone.localdate() - dt.timedelta(days=days),
            amount=Decimal("10"),
        )
    alert_services.acknowledge(more_data["alert"], actor=None)
    qr_services.record_scan(ElectronicId.objects.order_by("-pk").first().pk)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/dashboard/?township=330381102").status_code == 200
    assert len(more) == len(few)


def test_a_download_is_named_for_its_place_and_period(client):
    whole = client.get("/dashboard/cases.csv?from=2026-01-01&to=2026-06-30")
    assert 'filename="cases-20260101-20260630.csv"' in whole["Content-Disposition"]
    township = client.get("/dashboard/cases.xlsx?township=330381102&from=2026-01-01&to=2026-06-30")
    assert "cases-330381102-20260101-20260630.xlsx" in township["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(township.content)).active.title
    assert sheet == "cases-330381102-20260101-202606"  # Excel takes 31 characters at most


def test_the_page_groups_money_by_thousands(client):
    page = client.get("/dashboard/?from=2025-01-01&to=2026-11-30").content.decode()
    assert re.search(r'<td class="money col-budget">\d{1,3}(,\d{3})+\.\d{2}</td>', page)


# Village money -------------------------------------------------------------------------------

ROLE_NAMES = {
    "Village supervisor": "village_supervisor",
    "Village head": "village_head",
    "Township rural finance office": "finance_office",
    "Township leader in charge": "township_leader",
    "Bank transfer after the approval": "bank",
}


def test_payments_by_month_equal_the_same_sums_made_in_sql(client):
    start, end = default_period()
    data = charts(client.get("/dashboard/"))["payments"]
    assert data["kinds"] == ["month", "count", "money", "hours"]
    months = {row[0]: row[1:] for row in data["rows"]}
    assert len(months) == 12
    expected = sql_payments(start, end)
    assert sum(n for n, _amount, _median in expected.values()) > 5  # the demo's
    for month, (n, amount, median) in months.items():
        want = expected.get(month)
        if want is None:
            assert (n, amount, median) == (0, 0, "—"), month  # nothing paid: no median
        else:
            assert (n, money([amount])[0], Decimal(str(median))) == (
                want[0],
                money([want[1]])[0],
                want[2],
            ), month


def test_payments_of_a_township_are_its_villages_only(client):
    start, end = default_period()
    data = charts(client.get(f"/dashboard/?township={CAOCUN}"))["payments"]
    expected = sql_payments(start, end, CAOCUN)
    assert expected
    rows = {row[0]: row[1:] for row in data["rows"] if row[1]}
    assert set(rows) == set(expected)
    for month, (n, amount, median) in rows.items():
        assert (n, money([amount])[0], Decimal(str(median))) == (
            expected[month][0],
            money([expected[month][1]])[0],
            expected[month][2],
        )


def test_approval_times_by_step_equal_the_same_made_in_sql(client):
    start, end = default_period()
    for query, township in (("", None), (f"?township={CAOCUN}", CAOCUN)):
        with translation.override("en"):
            data = charts(client.get(f"/dashboard/{query}", HTTP_ACCEPT_LANGUAGE="en"))
        rows = {ROLE_NAMES[row[0]]: row[1:] for row in data["approvals"]["rows"]}
        expected = sql_approvals(start, end, township)
        assert {"village_supervisor", "village_head", "bank"} <= set(expected)
        assert set(rows) == set(expected)
        for role, (n, median, longest) in rows.items():
            assert (n, Decimal(str(median)), Decimal(str(longest))) == expected[role], role
        order = [ROLE_NAMES[row[0]] for row in data["approvals"]["rows"]]
        assert order[:2] == ["village_supervisor", "village_head"] and order[-1] == "bank"


def test_a_payment_made_today_counts_in_this_month_and_its_median(client, demo_user):
    from finance import services as finance_services
    from finance.models import PaymentRequest

    today = timezone.localdate()
    approved = PaymentRequest.objects.filter(
        state="approved", village__code__in=(DONGAO, "330381102202")
    ).first()
    month = f"{today:%Y-%m}"

    def this_month():
        rows = charts(client.get("/dashboard/"))["payments"]["rows"]
        return next(row for row in rows if row[0] == month)

    before = this_month()
    finance_services.mark_paid(
        approved, actor=demo_user("bookkeeper"), bank_reference="TEST20261130X", paid_on=today
    )
    after = this_month()
    assert after[1] == before[1] + 1
    assert money([after[2]])[0] == money([before[2]])[0] + approved.amount
    assert Decimal(str(after[3])) == sql_payments(today.replace(day=1), today)[month][2]


def test_the_public_payments_name_no_payee_and_no_account(client):
    from finance.models import Payee

    secrets = set()
    for payee in Payee.objects.all():
        secrets |= {payee.account_number, payee.id_number}
        if payee.kind == "person":
            secrets.add(payee.name)
    secrets.discard("")
    bodies = [client.get("/dashboard/").content.decode()]
    for chart in ("payments", "approvals"):
        bodies.append(b"".join(client.get(f"/dashboard/{chart}.csv").streaming_content).decode())
    for secret in secrets:
        for body in bodies:
            assert secret not in body
