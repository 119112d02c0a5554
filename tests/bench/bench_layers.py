"""Layer speed on a large village-asset table: `make bench` runs this after the plaque bench.

Seeds a separate PostGIS database (`qinglian_bench`, kept between runs) with up to 1,000,000
realistic parcels, then prints, measured in the same run:
- our tile endpoint's time per tile ÷ the raw ST_AsMVT query's time for the same tiles (goal ≤ 1.1)
- our bbox GeoJSON endpoint for ~2,000 features ÷ the raw ST_AsGeoJSON query (goal ≤ 1.5)
- tiles per second from gunicorn with 2 workers
- how both times grow from 10,000 to 1,000,000 rows.
Every loop is bounded; the only traffic is to 127.0.0.1.
"""

import math
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgis://root@127.0.0.1:5432/qinglian_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query in memory and slows each one
os.environ.setdefault("SECRET_KEY", "bench-only")
sys.path.insert(0, str(ROOT))

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
RUIAN = (120.30, 27.62, 120.76, 27.96)  # mainland, lon/lat
TILE_ZOOM = 15
REPEATS = 5
PORT = 8799


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, env=os.environ)


def ensure_database() -> None:
    name = BENCH_URL.rsplit("/", 1)[1]
    script = str(ROOT / "scripts" / "ensure_postgres.sh")
    subprocess.run([script, "127.0.0.1", "5432", name], cwd=ROOT, check=True)
    manage("migrate", "--noinput", "-v0")
    manage("load_demo")


SEED_SQL = """
WITH v AS (
    SELECT array_agg(u.id ORDER BY u.id) AS ids, array_agg(c.id ORDER BY u.id) AS owners
    FROM registry_adminunit u JOIN registry_cooperative c ON c.village_id = u.id
    WHERE u.level = 'village'
)
INSERT INTO registry_asset (created, updated, kind, name, village_id, owner_id, geometry,
    land_use, building_use, area_m2, status, description, external_id)
SELECT now(), now(), 'parcel', 'bench parcel ' || g,
    v.ids[1 + g %% cardinality(v.ids)], v.owners[1 + g %% cardinality(v.ids)],
    ST_SetSRID(ST_Multi(ST_Translate(
        ST_Rotate(ST_Scale(ST_Buffer(ST_Point(0, 0), 1, 'quad_segs=2'),
                           0.0002 + random() * 0.0006, 0.0001 + random() * 0.0004),
                  random() * pi()),
        %(minx)s + random() * %(w)s, %(miny)s + random() * %(h)s)), 4326),
    (ARRAY['farmland', 'forest', 'water', 'construction', 'other'])[1 + g %% 5], '',
    1000 + random() * 8000, (ARRAY['in_use', 'leased', 'idle'])[1 + g %% 3], '', 'bench-' || g
FROM generate_series(%(start)s, %(stop)s - 1) AS g, v
"""


def seeded(cursor) -> int:
    cursor.execute("SELECT count(*) FROM registry_asset WHERE external_id LIKE 'bench-%'")
    return cursor.fetchone()[0]


def reset(connection) -> None:
    """Start from the smallest size, so every size is measured on exactly that many rows."""
    with connection.cursor() as cursor:
        if seeded(cursor) > SIZES[0]:
            print("removing the parcels of an earlier run …", flush=True)
            cursor.execute("DELETE FROM registry_asset WHERE external_id LIKE 'bench-%'")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_asset")


def seed_to(connection, target: int) -> None:
    with connection.cursor() as cursor:
        have = seeded(cursor)
        if have >= target:
            return
        print(f"seeding parcels {have:,} → {target:,} …", flush=True)
        minx, miny, maxx, maxy = RUIAN
        step = 100_000
        box = {"minx": minx, "miny": miny, "w": maxx - minx, "h": maxy - miny}
        for start in range(have, target, step):
            cursor.execute(SEED_SQL, box | {"start": start, "stop": min(start + step, target)})
        cursor.execute("ANALYZE registry_asset")


def tiles_around(lon: float, lat: float, z: int, count: int) -> list[tuple[int, int, int]]:
    n = 2**z
    x0 = int((lon + 180) / 360 * n)
    y0 = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    side = int(math.sqrt(count))
    return [(z, x0 + dx, y0 + dy) for dx in range(side) for dy in range(side)]


RAW_MVT = """
SELECT ST_AsMVT(t, 'assets', 4096, 'geom') FROM (
  SELECT id, kind, status, name, land_use, building_use, area_m2::float8 AS area_m2,
         ST_AsMVTGeom(ST_Transform(geometry, 3857), ST_TileEnvelope(%s, %s, %s),
                      4096, 64, true) AS geom
  FROM registry_asset
  WHERE geometry && ST_Transform(ST_TileEnvelope(%s, %s, %s, margin => 64.0 / 4096), 4326)
) t
"""
# The database's own GeoJSON of the same features with the same public properties.
RAW_GEOJSON = """
SELECT ST_AsGeoJSON(t.*, 'geometry', 6) FROM (
  SELECT a.id, a.kind, a.name, u.code AS village, a.owner_id AS owner, a.land_use,
         a.building_use, a.area_m2, a.floor_area_m2, a.status, a.description, a.geometry
  FROM registry_asset a JOIN registry_adminunit u ON u.id = a.village_id
  WHERE a.geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326) ORDER BY a.id LIMIT 5000
) t
"""


def timed(fn, repeats: int = REPEATS) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bbox_for(rows: int, features: int = 2000) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = RUIAN
    area = (maxx - minx) * (maxy - miny) * features / rows
    side = math.sqrt(area)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def measure(connection, client, rows: int) -> dict:
    tiles = tiles_around(120.53, 27.80, TILE_ZOOM, 9)

    def raw_tiles():
        with connection.cursor() as cursor:
            for z, x, y in tiles:
                cursor.execute(RAW_MVT, [z, x, y, z, x, y])
                cursor.fetchone()

    def our_tiles():
        for z, x, y in tiles:
            response = client.get(f"/tiles/assets/{z}/{x}/{y}.mvt")
            assert response.status_code in (200, 204), response.status_code

    bbox = bbox_for(rows)

    def raw_geojson():
        with connection.cursor() as cursor:
            cursor.execute(RAW_GEOJSON, bbox)
            return len(cursor.fetchall())

    def our_geojson():
        response = client.get(
            "/api/assets/", {"in_bbox": ",".join(f"{v:.6f}" for v in bbox), "page_size": 5000}
        )
        assert response.status_code == 200
        return response

    features = raw_geojson()
    result = {
        "rows": rows,
        "tile_ours": timed(our_tiles) / len(tiles),
        "tile_raw": timed(raw_tiles) / len(tiles),
        "geojson_features": features,
        "geojson_ours": timed(our_geojson),
        "geojson_raw": timed(raw_geojson),
    }
    return result


def tiles_per_second(rows: int, seconds: float = 10.0) -> float:
    env = os.environ | {"DEBUG": "false", "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/tiles/assets/0/0/0.mvt", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        urls = [
            f"http://127.0.0.1:{PORT}/tiles/assets/{z}/{x}/{y}.mvt"
            for z, x, y in tiles_around(120.53, 27.80, TILE_ZOOM, 64)
        ]
        deadline = time.perf_counter() + seconds
        done = 0

        def fetch(url: str) -> None:
            urllib.request.urlopen(url, timeout=30).read()

        with ThreadPoolExecutor(max_workers=4) as pool:
            start = time.perf_counter()
            while time.perf_counter() < deadline and done < 20_000:
                list(pool.map(fetch, urls))
                done += len(urls)
            elapsed = time.perf_counter() - start
        return done / elapsed
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    reset(connection)
    results = []
    for rows in SIZES:
        seed_to(connection, rows)
        results.append(measure(connection, client, rows))
        r = results[-1]
        tile_ratio = r["tile_ours"] / r["tile_raw"]
        geojson_ratio = r["geojson_ours"] / r["geojson_raw"]
        print(
            f"{rows:>9,} parcels | tile: ours {r['tile_ours'] * 1000:7.2f} ms, "
            f"raw ST_AsMVT {r['tile_raw'] * 1000:7.2f} ms, ratio {tile_ratio:.2f} (goal ≤ 1.1) | "
            f"bbox GeoJSON {r['geojson_features']} features: ours "
            f"{r['geojson_ours'] * 1000:7.1f} ms, raw ST_AsGeoJSON "
            f"{r['geojson_raw'] * 1000:7.1f} ms, ratio {geojson_ratio:.2f} (goal ≤ 1.5)",
            flush=True,
        )
    first, last = results[0], results[-1]
    print(
        f"growth {first['rows']:,} → {last['rows']:,} rows: tile time ×"
        f"{last['tile_ours'] / first['tile_ours']:.2f}, bbox GeoJSON time ×"
        f"{last['geojson_ours'] / first['geojson_ours']:.2f}"
    )
    print(f"tiles per second, gunicorn 2 workers: {tiles_per_second(SIZES[-1]):.0f}")


if __name__ == "__main__":
    main()
