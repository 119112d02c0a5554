"""GeoJSON feature collections built by PostGIS in one query.

Serialising model instances one by one in Python (djangorestframework-gis's default) costs
about 15× what the database needs to write the same GeoJSON; here the database writes it.
"""

from django.db import connection
from django.db.models import F, Func, QuerySet, TextField

ID, GEOM, ROW = "ql_fid", "ql_geom", "ql_row"


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

    `properties` maps each output name to a field path of the queryset's model.
    """
    aliases = {f"ql_p{i}": (name, path) for i, (name, path) in enumerate(properties.items())}
    rows = queryset.values(
        # Raw geometry, not the EWKB bytea Django asks for when it reads geometries itself.
        **{
            ID: F("pk"),
            GEOM: Func(F(geometry), template="%(expressions)s", output_field=TextField()),
        },
        **{alias: F(path) for alias, (_name, path) in aliases.items()},
    )[offset : offset + limit + 1]
    inner, params = rows.query.sql_with_params()
    # Property names are the view's constants, never request input.
    props = ", ".join(f"'{name}', r.{alias}" for alias, (name, _path) in aliases.items())
    sql = f"""
        SELECT coalesce(
                   json_agg(
                       json_build_object(
                           'type', 'Feature',
                           'id', r.{ID},
                           'geometry', ST_AsGeoJSON(r.{GEOM}, %s)::json,
                           'properties', json_build_object({props})
                       ) ORDER BY r.{ROW}
                   ) FILTER (WHERE r.{ROW} <= %s),
                   '[]'::json
               )::text,
               count(*)
        FROM (SELECT q.*, row_number() OVER () AS {ROW} FROM ({inner}) q) r
    """  # noqa: S608 - the inner query is Django's, parameterised; names are constants
    with connection.cursor() as cursor:
        cursor.execute(sql, [precision, limit, *params])
        features, fetched = cursor.fetchone()
    return features, fetched > limit
