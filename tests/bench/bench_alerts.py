"""Warning rules over a city: `make bench` runs this after bench_layers.py.

Uses bench_layers' database (`qinglian_bench`) and its 1,000,000 parcels, and adds, in set-based
SQL, 10,000 small projects and 50,000 leases on those parcels (with payments, auctions and bids).
Then it prints, with DEBUG off:
- a full pass, `alerts.engine.evaluate_all()`, twice: cold (every alert raised) and steady (every
  alert refreshed), each rule's time, queries and alerts (goal: under 60 s on this 2-core machine);
- one change, a project's contract amount and a rent payment, then
  `evaluate_villages([village], rules reading them)` (goal: under 1 s);
- both beside a baseline from the same run: one read of every row the rules read.
Like bench_layers, it prints goals and does not fail on them: times depend on the machine.

The projects stay between runs (skipped when already seeded at that size). The leases are removed
at the end, because bench_layers deletes and re-seeds its parcels, which a lease would pin.
ALERTS_BENCH_PROJECTS, ALERTS_BENCH_LEASES and ALERTS_BENCH_PARCELS set the sizes;
ALERTS_BENCH_KEEP=1 keeps the leases for a re-run (then run bench_layers only with
BENCH_SIZES=1000000, which does not delete parcels). PostgreSQL settings can be tried without
editing anything, e.g. PGOPTIONS="-c jit=off -c random_page_cost=1.1".
"""

import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_layers  # sets DATABASE_URL, DEBUG off, the project on sys.path

PROJECTS = int(os.environ.get("ALERTS_BENCH_PROJECTS", "10000"))
LEASES = int(os.environ.get("ALERTS_BENCH_LEASES", "50000"))
PARCELS = int(os.environ.get("ALERTS_BENCH_PARCELS", "1000000"))
KEEP = os.environ.get("ALERTS_BENCH_KEEP", "") == "1"
FULL_PASS_GOAL = 60.0
ONE_CHANGE_GOAL = 1.0
REPEATS = 3

BENCH_PROJECT = "bench project %"
ON_BENCH_PARCEL = "SELECT id FROM registry_asset WHERE external_id LIKE 'bench-%%'"

# The bench parcels, numbered, so that row g of a series picks parcel 1 + g·stride mod n.
PARCELS_CTE = """
parcels AS MATERIALIZED (
    SELECT id, village_id, row_number() OVER (ORDER BY id) AS rn
    FROM registry_asset WHERE external_id LIKE 'bench-%%'
),
total AS (SELECT count(*) AS n FROM parcels)
"""

# 300 contractors: 20 trade names × 15 trades. A third of the townships have a favourite who
# wins over half their works (W09's case); elsewhere awards fall off with rank (rank^2.5).
CONTRACTOR = """
'瑞安市' || (ARRAY['宏达','鑫源','恒业','华盛','东方','金瑞','永兴','嘉诚','安泰','隆基',
                  '立新','福源','正大','中诚','远航','浙南','飞云','玉海','锦程','广厦'])
                 [1 + {i} %% 20]
         || (ARRAY['建设工程','建筑工程','市政工程','水利工程','园林工程','路桥工程','装饰工程',
                   '土石方工程','环境工程','电力工程','建筑安装','基础工程','管道工程',
                   '绿化工程','古建工程'])[1 + ({i} / 20) %% 15] || '有限公司'
"""

PROJECTS_SQL = f"""
WITH {PARCELS_CTE},
drawn AS MATERIALIZED (
    SELECT g, p.id AS parcel_id, p.village_id, u.parent_id AS township_id,
        CURRENT_DATE - (random() * 1095)::int AS d0,
        7 + (random() * 30)::int AS l1, 10 + (random() * 40)::int AS l2,
        5 + (random() * 30)::int AS l3, 30 + (random() * 150)::int AS l4,
        20 + (random() * 90)::int AS l5,
        random() AS r_stage, random() AS r_budget, random() AS r_over, random() AS r_contract,
        random() AS r_settle, random() AS r_settle2, random() AS r_who, random() AS r_rank,
        random() AS r_where, random() AS r_misc, random() AS r_misc2
    FROM generate_series(%(start)s, %(stop)s - 1) AS g
    CROSS JOIN total
    JOIN parcels p ON p.rn = 1 + (g::bigint * 7919) %% total.n
    JOIN registry_adminunit u ON u.id = p.village_id
),
dated AS MATERIALIZED (
    SELECT *, d0 + l1 AS d1, d0 + l1 + l2 AS d2, d0 + l1 + l2 + l3 AS d3,
        d0 + l1 + l2 + l3 + l4 AS d4, d0 + l1 + l2 + l3 + l4 + l5 AS d5,
        -- where a project stops: 4 %% at the proposal ... 8 %% stalled under construction
        CASE WHEN r_stage < 0.04 THEN 0 WHEN r_stage < 0.08 THEN 1 WHEN r_stage < 0.12 THEN 2
             WHEN r_stage < 0.20 THEN 3 WHEN r_stage < 0.25 THEN 4 ELSE 5 END AS cap
    FROM drawn
),
staged AS MATERIALIZED (
    SELECT *, least(cap, (d1 <= CURRENT_DATE)::int + (d2 <= CURRENT_DATE)::int
        + (d3 <= CURRENT_DATE)::int + (d4 <= CURRENT_DATE)::int
        + (d5 <= CURRENT_DATE)::int) AS s,
        least(200000, round((5000 + 195000 * power(r_budget, 1.6))::numeric, -2)) AS budget
    FROM dated
),
priced AS MATERIALIZED (
    SELECT *,
        -- 7 %% of contracts above the guidance price (W06), with the reason the form demands
        least(200000, round(budget * CASE WHEN r_over < 0.07 THEN 1.01 + r_contract * 0.24
                                          ELSE 0.85 + r_contract * 0.15 END::numeric, -2))
            AS contract
    FROM staged
),
settled AS MATERIALIZED (
    SELECT *,
        -- settlements: most within 5 %% of the contract, 15 %% up to 15 %% over, 5 %% far over
        round(contract * CASE WHEN r_settle < 0.80 THEN 0.90 + r_settle2 * 0.15
                              WHEN r_settle < 0.95 THEN 1.05 + r_settle2 * 0.10
                              ELSE 1.15 + r_settle2 * 0.30 END::numeric, 2) AS settlement,
        CASE WHEN township_id %% 3 = 0 AND r_who < 0.55 THEN (township_id * 37) %% 300
             ELSE floor(300 * power(r_rank, 2.5))::int END AS rank
    FROM priced
)
INSERT INTO projects_project (created, updated, name, village_id, location, category,
    description, stage, proposed_on, budget_priced_on, contracted_on, construction_started_on,
    accepted_on, settled_on, budget_price, contract_amount, contractor, contractor_contact,
    settlement_amount, paid_amount, progress_percent, guidance_agency, contracting_method,
    contract_signed_on, over_guidance_reason, acceptance_passed, acceptance_opinion,
    audit_agency)
SELECT now(), now(), 'bench project ' || g, village_id,
    -- a quarter inside the village's boundary, the rest beside one of the village's parcels
    CASE WHEN r_where < 0.25
         THEN ST_GeometryN(ST_GeneratePoints(
             (SELECT boundary FROM registry_adminunit WHERE id = village_id), 1, g + 1), 1)
         ELSE ST_Translate(
             (SELECT ST_PointOnSurface(geometry) FROM registry_asset WHERE id = parcel_id),
             (r_misc - 0.5) * 0.002, (r_misc2 - 0.5) * 0.002)
    END,
    (ARRAY['road', 'water', 'sewage', 'building', 'landscape', 'culture', 'other'])[1 + g %% 7],
    '', (ARRAY['proposal', 'budget', 'contracting', 'construction', 'acceptance',
               'settlement'])[1 + s],
    d0, CASE WHEN s >= 1 THEN d1 END, CASE WHEN s >= 2 THEN d2 END,
    CASE WHEN s >= 3 THEN d3 END, CASE WHEN s >= 4 THEN d4 END, CASE WHEN s >= 5 THEN d5 END,
    CASE WHEN s >= 1 THEN budget END, CASE WHEN s >= 2 THEN contract END,
    CASE WHEN s >= 2 THEN {CONTRACTOR.format(i="rank")} ELSE '' END, '',
    CASE WHEN s >= 5 THEN settlement END,
    CASE WHEN s = 5 THEN round(settlement * (0.9 + r_misc * 0.1)::numeric, 2)
         WHEN s = 4 THEN round(contract * (0.9 + r_misc * 0.1)::numeric, 2)
         WHEN s = 3 THEN round(contract * (r_misc * 0.6)::numeric, 2) ELSE 0 END,
    CASE WHEN s = 3 THEN 10 + (r_misc * 80)::int WHEN s >= 4 THEN 100 ELSE 0 END,
    CASE WHEN s >= 1 THEN (ARRAY['瑞安市诚信工程造价咨询有限公司', '瑞安市正达造价事务所',
                                 '温州明信造价咨询有限公司'])[1 + g %% 3] ELSE '' END,
    CASE WHEN s >= 2 THEN (ARRAY['simple_tender', 'comparison', 'negotiation',
                                 'direct'])[1 + floor(r_misc2 * 4)::int] ELSE '' END,
    -- 1 %% signed before the guidance price (W11's recorded dates out of order)
    CASE WHEN s >= 2 AND r_misc < 0.01 THEN d1 - 5 - (r_misc2 * 25)::int
         WHEN s >= 2 THEN least(d2 + (r_misc2 * 10)::int, CURRENT_DATE) END,
    CASE WHEN s >= 2 AND contract > budget THEN '设计变更，工程量增加' ELSE '' END,
    CASE WHEN s >= 4 THEN true END, '',
    CASE WHEN s >= 5 THEN '瑞安市审计事务所' ELSE '' END
FROM settled
"""

LEASES_SQL = f"""
WITH {PARCELS_CTE},
drawn AS MATERIALIZED (
    SELECT g, p.id AS asset_id, CURRENT_DATE - 20 - (random() * 2200)::int AS start_on,
        random() AS r_term, random() AS r_kind, random() AS r_award, random() AS r_schedule,
        random() AS r_rent, random() AS r_valuation, random() AS r_ratio
    FROM generate_series(%(start)s, %(stop)s - 1) AS g
    CROSS JOIN total
    JOIN parcels p ON p.rn = 1 + (g::bigint * 104729) %% total.n
),
priced AS MATERIALIZED (
    SELECT *, round((800 + 50000 * power(r_rent, 2))::numeric, -1) AS rent,
        -- the parcel maximum is 15 years: 3 %% run 20 or 30 (W02), 7 %% exactly 15
        CASE WHEN r_term < 0.25 THEN 1 WHEN r_term < 0.45 THEN 2 WHEN r_term < 0.65 THEN 3
             WHEN r_term < 0.80 THEN 5 WHEN r_term < 0.90 THEN 10 WHEN r_term < 0.97 THEN 15
             WHEN r_term < 0.99 THEN 20 ELSE 30 END AS years
    FROM drawn
)
INSERT INTO leasing_lease (created, updated, asset_id, tenant_name, tenant_kind, tenant_contact,
    start_on, end_on, annual_rent, payment_schedule, deposit, awarded_by, valuation)
SELECT now(), now(), asset_id,
    CASE WHEN r_kind < 0.75
         THEN (ARRAY['张', '王', '李', '陈', '林', '黄', '周', '吴', '郑', '金'])[1 + g %% 10]
              || (ARRAY['建国', '海燕', '志强', '秀英', '明华', '丽君', '国庆', '小龙'])
                 [1 + (g / 10) %% 8]
         ELSE '瑞安市' || (ARRAY['绿野', '丰收', '鑫农', '海洋', '华丰'])[1 + g %% 5]
              || '农业开发有限公司' END,
    CASE WHEN r_kind < 0.75 THEN 'person' ELSE 'organisation' END, '',
    start_on, (start_on + make_interval(years => years))::date, rent,
    CASE WHEN r_schedule < 0.50 THEN 'annual' WHEN r_schedule < 0.70 THEN 'semiannual'
         WHEN r_schedule < 0.85 THEN 'quarterly' ELSE 'monthly' END,
    round(rent * 0.2, -1),
    -- five years or more call for public bidding: 10 %% of those negotiated anyway (W04)
    CASE WHEN years >= 5 THEN
             CASE WHEN r_award < 0.70 THEN 'auction' WHEN r_award < 0.85 THEN 'tender'
                  WHEN r_award < 0.95 THEN 'negotiation' ELSE 'renewal' END
         ELSE CASE WHEN r_award < 0.25 THEN 'auction' WHEN r_award < 0.30 THEN 'tender'
                   WHEN r_award < 0.85 THEN 'negotiation' ELSE 'renewal' END END,
    -- 30 %% without a valuation; 5 %% favour rents (W03), 3 %% just inside the allowance
    CASE WHEN r_valuation < 0.30 THEN NULL
         WHEN r_valuation < 0.35 THEN round(rent / (0.50 + r_ratio * 0.25)::numeric, -1)
         WHEN r_valuation < 0.38 THEN round(rent / (0.82 + r_ratio * 0.03)::numeric, -1)
         ELSE round(rent / (0.85 + r_ratio * 0.30)::numeric, -1) END
FROM priced
"""

BENCH_LEASES = f"SELECT id FROM leasing_lease WHERE asset_id IN ({ON_BENCH_PARCEL})"

# Rent paid in 1–4 payments, each covering whole periods from the lease's start. Each period is
# rounded up to the fen, so a lease paid in full owes nothing; 15 %% leave 1–5 periods unpaid.
PAYMENTS_SQL = f"""
WITH due AS MATERIALIZED (
    SELECT l.id, l.start_on, m.months,
        ceil(l.annual_rent * m.months / 12 * 100) / 100 AS per_period,
        CASE WHEN l.start_on > CURRENT_DATE THEN 0 ELSE
            (extract(year FROM age(least(CURRENT_DATE, l.end_on - 1), l.start_on)) * 12
             + extract(month FROM age(least(CURRENT_DATE, l.end_on - 1), l.start_on)))::int
            / m.months + 1 END AS periods,
        random() AS r_unpaid, random() AS r_chunks
    FROM leasing_lease l
    JOIN (VALUES ('annual', 12), ('semiannual', 6), ('quarterly', 3), ('monthly', 1))
        AS m (schedule, months) ON m.schedule = l.payment_schedule
    WHERE l.id IN ({BENCH_LEASES})
),
paid AS MATERIALIZED (
    SELECT *, greatest(0, periods - CASE WHEN r_unpaid < 0.85 THEN 0 WHEN r_unpaid < 0.94 THEN 1
                                         WHEN r_unpaid < 0.98 THEN 2
                                         ELSE 3 + (r_chunks * 2)::int END) AS paid_periods
    FROM due
),
chunked AS MATERIALIZED (
    SELECT *, least(paid_periods, 1 + floor(r_chunks * 4)::int) AS chunks
    FROM paid WHERE paid_periods > 0
)
INSERT INTO leasing_leasepayment (created, updated, lease_id, paid_on, amount, bank_reference)
SELECT now(), now(), c.id,
    least(CURRENT_DATE, (c.start_on + make_interval(months => c.months * (j * c.paid_periods
        / c.chunks)) + make_interval(days => (random() * 15)::int))::date),
    c.per_period * ((j + 1) * c.paid_periods / c.chunks - j * c.paid_periods / c.chunks),
    'BENCH-' || c.id || '-' || j
FROM chunked c CROSS JOIN LATERAL generate_series(0, c.chunks - 1) AS j
"""

# Every auctioned lease has its auction (12 %% with a single bidder: W10); 4 %% of negotiated
# leases follow a failed auction of the same parcel, 3 %% within six months (W10), 1 %% after.
AUCTIONS_SQL = f"""
WITH won AS MATERIALIZED (
    SELECT l.id, l.asset_id, l.start_on, l.end_on, l.annual_rent, l.payment_schedule,
        l.tenant_name, l.tenant_kind, l.start_on - 10 - (random() * 20)::int AS held_on
    FROM leasing_lease l WHERE l.awarded_by = 'auction' AND l.id IN ({BENCH_LEASES})
)
INSERT INTO leasing_auction (created, updated, asset_id, title, announced_on, held_on, place,
    reserve_price, increment, deposit, lease_start_on, lease_end_on, payment_schedule,
    conditions, status, result_published_on, winning_amount, winner_public_name, cancel_reason,
    lease_id)
SELECT now(), now(), asset_id, 'bench auction ' || id, held_on - 15 - (random() * 15)::int,
    held_on, '村委会会议室', round(annual_rent * 0.85, -1), 100, round(annual_rent * 0.1, -1),
    start_on, end_on, payment_schedule, '', 'awarded', held_on + 2, annual_rent,
    CASE WHEN tenant_kind = 'person'
         THEN left(tenant_name, 1) || repeat('*', length(tenant_name) - 1)
         ELSE tenant_name END, '', id
FROM won
"""

FAILED_AUCTIONS_SQL = f"""
WITH direct AS MATERIALIZED (
    SELECT l.id, l.asset_id, l.start_on, l.annual_rent, random() AS r
    FROM leasing_lease l WHERE l.awarded_by = 'negotiation' AND l.id IN ({BENCH_LEASES})
),
failed AS MATERIALIZED (
    SELECT *, start_on - CASE WHEN r < 0.03 THEN 15 + (r * 5000)::int
                              ELSE 200 + (r * 3000)::int END AS held_on
    FROM direct WHERE r < 0.04
)
INSERT INTO leasing_auction (created, updated, asset_id, title, announced_on, held_on, place,
    reserve_price, increment, deposit, lease_start_on, lease_end_on, payment_schedule,
    conditions, status, result_published_on, winning_amount, winner_public_name, cancel_reason)
SELECT now(), now(), asset_id, 'bench auction, failed, ' || id, held_on - 20, held_on,
    '村委会会议室', round(annual_rent * 1.2, -1), 100, 0, held_on + 30, held_on + 30 + 1095,
    'annual', '', 'failed', held_on + 1, NULL, '', ''
FROM failed
"""

# Bids of the awarded auctions: ascending from the reserve to the winning amount, the last one
# the tenant's.
BIDS_SQL = f"""
WITH a AS MATERIALIZED (
    SELECT a.id, a.held_on, a.reserve_price, a.winning_amount, l.tenant_name, l.tenant_kind,
        CASE WHEN random() < 0.12 THEN 1 ELSE 2 + floor(random() * 5)::int END AS bidders
    FROM leasing_auction a JOIN leasing_lease l ON l.id = a.lease_id
    WHERE a.status = 'awarded' AND a.asset_id IN ({ON_BENCH_PARCEL})
)
INSERT INTO leasing_bid (created, updated, auction_id, paddle, bidder_name, bidder_kind,
    bidder_contact, amount, placed_at)
SELECT now(), now(), a.id, 10 + i,
    CASE WHEN i = a.bidders THEN a.tenant_name ELSE '竞买人' || i END,
    CASE WHEN i = a.bidders THEN a.tenant_kind ELSE 'person' END, '',
    round(a.reserve_price + (a.winning_amount - a.reserve_price) * i / a.bidders, 2),
    a.held_on + time '09:30' + make_interval(mins => i)
FROM a CROSS JOIN LATERAL generate_series(1, a.bidders) AS i
"""

REMOVE_LEASES_SQL = [
    "DELETE FROM leasing_bid WHERE auction_id IN "
    f"(SELECT id FROM leasing_auction WHERE asset_id IN ({ON_BENCH_PARCEL}))",
    f"DELETE FROM leasing_auction WHERE asset_id IN ({ON_BENCH_PARCEL})",
    f"DELETE FROM leasing_leasepayment WHERE lease_id IN ({BENCH_LEASES})",
    f"DELETE FROM leasing_sublet WHERE lease_id IN ({BENCH_LEASES})",
    f"DELETE FROM leasing_lease WHERE id IN ({BENCH_LEASES})",
]

# What the rules read, read once: the baseline a pass is compared with.
BASELINE_TABLES = (
    "projects_project",
    "leasing_lease",
    "leasing_leasepayment",
    "leasing_auction",
    "leasing_bid",
)


def count(cursor, sql: str, params=()) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def in_steps(cursor, sql: str, total: int, step: int) -> None:
    for start in range(0, total, step):
        cursor.execute(sql, {"start": start, "stop": min(start + step, total)})


def seed_projects(connection) -> None:
    with connection.cursor() as cursor:
        have = count(
            cursor, "SELECT count(*) FROM projects_project WHERE name LIKE %s", [BENCH_PROJECT]
        )
        if have == PROJECTS:
            return
        print(f"seeding projects {have:,} → {PROJECTS:,} …", flush=True)
        cursor.execute("DELETE FROM projects_project WHERE name LIKE %s", [BENCH_PROJECT])
        in_steps(cursor, PROJECTS_SQL, PROJECTS, 5000)
        cursor.execute("ANALYZE projects_project")


def remove_leases(connection) -> None:
    with connection.cursor() as cursor:
        for sql in REMOVE_LEASES_SQL:
            cursor.execute(sql)


def seed_leases(connection) -> None:
    with connection.cursor() as cursor:
        have = count(cursor, f"SELECT count(*) FROM ({BENCH_LEASES}) l")
        if have == LEASES:
            return
        print(f"seeding leases {have:,} → {LEASES:,}, their payments, auctions, bids …", flush=True)
    remove_leases(connection)
    with connection.cursor() as cursor:
        in_steps(cursor, LEASES_SQL, LEASES, 25_000)
        for sql in (PAYMENTS_SQL, AUCTIONS_SQL, FAILED_AUCTIONS_SQL, BIDS_SQL):
            cursor.execute(sql)
        for table in ("lease", "leasepayment", "auction", "bid"):
            cursor.execute(f"ANALYZE leasing_{table}")


def describe(connection, seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM registry_asset WHERE external_id LIKE 'bench-%%'),
                (SELECT count(*) FROM registry_adminunit WHERE level = 'village'),
                (SELECT count(*) FROM projects_project),
                (SELECT count(*) FROM leasing_lease),
                (SELECT count(*) FROM leasing_leasepayment),
                (SELECT count(*) FROM leasing_auction),
                (SELECT count(*) FROM leasing_auction WHERE status = 'failed'),
                (SELECT count(*) FROM leasing_bid)
            """
        )
        parcels, villages, projects, leases, payments, auctions, failed, bids = cursor.fetchone()
    print(
        f"data: {parcels:,} bench parcels in {villages} villages, {projects:,} projects, "
        f"{leases:,} leases, {payments:,} rent payments, {auctions:,} auctions "
        f"({failed:,} failed), {bids:,} bids; ready in {seconds:.0f} s",
        flush=True,
    )


class QueryCounter:
    """A database execute wrapper that counts queries (DEBUG stays off)."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def baseline(connection) -> float:
    """One read of every row of the tables the rules read, into Python."""

    def read() -> None:
        with connection.cursor() as cursor:
            for table in BASELINE_TABLES:
                cursor.execute(f"SELECT * FROM {table}")
                cursor.fetchall()

    read()  # warm the caches, as the second pass is warm
    start = time.perf_counter()
    read()
    return time.perf_counter() - start


def full_pass(connection, label: str) -> tuple[float, dict]:
    """`engine.evaluate_all()`, each rule's evaluation timed and its queries counted."""
    from alerts import engine

    evaluate = engine.evaluate
    per_rule: dict[str, dict] = {}

    def timed_evaluate(rule, **kwargs):
        counter = QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            outcome = evaluate(rule, **kwargs)
        per_rule[rule.code] = {"seconds": time.perf_counter() - start, "queries": counter.queries}
        return outcome

    with mock.patch.object(engine, "evaluate", timed_evaluate):
        start = time.perf_counter()
        outcome = engine.evaluate_all()
        elapsed = time.perf_counter() - start
    print(
        f"full pass, {label}: {elapsed:.1f} s (goal < {FULL_PASS_GOAL:.0f} s); "
        f"raised {outcome.raised:,}, changed {outcome.changed:,}, resolved {outcome.resolved:,}",
        flush=True,
    )
    return elapsed, per_rule


def find_only(rule) -> float:
    """Seconds the rule takes to find its conditions and write their evidence, without the
    engine's reconciling."""
    from django.conf import settings
    from django.utils import timezone, translation

    from alerts.engine import settings_of
    from alerts.rules import Context

    _, params = settings_of(rule)
    context = Context(today=timezone.localdate(), params=params)
    start = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):
        for finding in rule.find(context):
            for item in finding.evidence:
                item.as_json()  # the engine stores it, so it is part of the rule's cost
    return time.perf_counter() - start


def report_rules(cold: dict, steady: dict) -> None:
    from django.db.models import Count, Q

    from alerts.models import ACTIVE_STATES, Alert, Level
    from alerts.rules import get_rule

    counts = {
        row["rule"]: row
        for row in Alert.objects.filter(state__in=ACTIVE_STATES)
        .values("rule")
        .annotate(red=Count("pk", filter=Q(level=Level.RED)), total=Count("pk"))
    }
    print(
        f"{'rule':<5} {'cold s':>8} {'queries':>8} {'steady s':>9} {'queries':>8} "
        f"{'find() s':>9} {'alerts':>7} {'red':>6}"
    )
    for code, first in cold.items():
        second = steady[code]
        seconds = find_only(get_rule(code))
        row = counts.get(code, {"total": 0, "red": 0})
        print(
            f"{code:<5} {first['seconds']:8.2f} {first['queries']:8,} "
            f"{second['seconds']:9.2f} {second['queries']:8,} {seconds:9.2f} "
            f"{row['total']:7,} {row['red']:6,}",
            flush=True,
        )


def one_change(connection) -> None:
    """A project's contract amount and one rent payment change in one village; the rules that
    read them re-evaluate that village, as the task a save queues does."""
    from alerts import engine, tasks
    from leasing.models import LeasePayment
    from projects.models import Project
    from projects.models.projects import SMALL_PROJECT_LIMIT

    project = (
        Project.objects.filter(
            name__startswith="bench project ", budget_price__gt=20000, contract_amount__isnull=False
        )
        .order_by("pk")
        .first()
    )
    village = project.village_id
    payment = (
        LeasePayment.objects.filter(
            lease__asset__village_id=village, lease__asset__external_id__startswith="bench-"
        )
        .order_by("pk")
        .first()
    )
    project_codes = tasks.rules_reading("projects.project")
    payment_codes = tasks.rules_reading("leasing.leasepayment")
    both = sorted(set(project_codes) | set(payment_codes))
    print(
        f"one change in village {village}: project {project.pk} (rules {','.join(project_codes)})"
        f", payment {payment.pk} (rules {','.join(payment_codes) or 'none yet'})",
        flush=True,
    )
    guidance, contract, amount = project.budget_price, project.contract_amount, payment.amount

    def change(over: bool) -> None:
        # alternately over the guidance price (W06) and back; a payment halved and restored
        Project.objects.filter(pk=project.pk).update(
            contract_amount=min(guidance * 115 / 100, SMALL_PROJECT_LIMIT) if over else contract
        )
        LeasePayment.objects.filter(pk=payment.pk).update(amount=amount / 2 if over else amount)

    timings: dict[str, list[float]] = {"project": [], "payment": [], "both": []}
    try:
        for _ in range(2 * REPEATS):
            for name, codes in (
                ("project", project_codes),
                ("payment", payment_codes),
                ("both", both),
            ):
                if not codes:
                    continue
                change(over=len(timings[name]) % 2 == 0)
                start = time.perf_counter()
                engine.evaluate_villages([village], codes)
                timings[name].append(time.perf_counter() - start)
    finally:
        Project.objects.filter(pk=project.pk).update(contract_amount=contract)
        LeasePayment.objects.filter(pk=payment.pk).update(amount=amount)
    for name, samples in timings.items():
        if not samples:
            print(f"one change, {name}: no rule reads it yet")
            continue
        print(
            f"one change, {name}: {statistics.median(samples):.2f} s median, "
            f"{max(samples):.2f} s worst of {len(samples)} (goal < {ONE_CHANGE_GOAL:.0f} s)",
            flush=True,
        )


def main() -> None:
    bench_layers.ensure_database()
    import django

    django.setup()
    from django.db import connection

    start = time.perf_counter()
    bench_layers.seed_to(connection, PARCELS)
    seed_projects(connection)
    try:
        seed_leases(connection)
        describe(connection, time.perf_counter() - start)
        with connection.cursor() as cursor:  # a cold pass starts with no alert at all
            cursor.execute("TRUNCATE alerts_alertchange, alerts_alert")
        read = baseline(connection)
        print(f"baseline: reading every row the rules read once takes {read:.2f} s", flush=True)
        cold_seconds, cold = full_pass(connection, "cold (raises every alert)")
        steady_seconds, steady = full_pass(connection, "steady (refreshes them)")
        report_rules(cold, steady)
        print(
            f"full pass: {cold_seconds:.1f} s cold, {steady_seconds:.1f} s steady "
            f"(goal < {FULL_PASS_GOAL:.0f} s), {steady_seconds / read:.0f}× the baseline read",
            flush=True,
        )
        one_change(connection)
    finally:
        if not KEEP:
            print("removing the bench leases (bench_layers re-seeds their parcels) …", flush=True)
            remove_leases(connection)


if __name__ == "__main__":
    main()
