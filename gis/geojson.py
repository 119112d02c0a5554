"""GeoJSON feature collections written by PostGIS.

Serialising model instances one by one in Python (djangorestframework-gis's default) costs
about 15× what the database needs to write the same GeoJSON; here the database writes it.
"""

from django.db import connection
from django.db.models import F, Func, QuerySet, TextField

ID, GEOM = "ql_fid", "ql_geom"


def supports_sql_geojson() -> bool:
    return connection.vendor == "postgresql"


def features_json(
    queryset: QuerySet,
    *,
    geometry: str,
    properties: dict[str, str],
    offset: int,
    limit: int,
    precision: int = 6,
) -> tuple[str, bool]:
    """A JSON array of up to `limit` Features from `offset`, and whether more follow.

    `properties` maps each output name to a field path of the queryset's model, or to an
    expression (such as a column with personal data hidden).
    """
    aliases = {f"ql_p{i}": (name, path) for i, (name, path) in enumerate(properties.items())}
    selected = queryset.values(
        # Raw geometry, not the EWKB bytea Django asks for when it reads geometries itself.
        **{
            ID: F("pk"),
            GEOM: Func(F(geometry), template="%(expressions)s", output_field=TextField()),
        },
        **{
            alias: F(path) if isinstance(path, str) else path
            for alias, (_name, path) in aliases.items()
        },
    )[offset : offset + limit + 1]
    inner, params = selected.query.sql_with_params()
    # Output names are the view's constants, never request input.
    renamed = ", ".join(
        [f"r.{ID} AS id", f"r.{GEOM} AS {GEOM}"]
        + [f'r.{alias} AS "{name}"' for alias, (name, _path) in aliases.items()]
    )
    # PostGIS writes each Feature itself (ST_AsGeoJSON of a row); Python only joins them.
    # The feature-level "id" is spliced in front of PostGIS's own '{"type": "Feature", …'.
    sql = f"""
        SELECT '{{"id":' || t.id || ',' || substr(ST_AsGeoJSON(t.*, '{GEOM}', %s), 2)
        FROM (SELECT {renamed} FROM ({inner}) r) t
    """  # noqa: S608 - the inner query is Django's, parameterised; names are constants
    with connection.cursor() as cursor:
        cursor.execute(sql, [precision, *params])
        rows = [row[0] for row in cursor.fetchall()]
    more = len(rows) > limit
    return "[" + ",".join(rows[:limit]) + "]", more
