"""Why a geometry is refused, in the page's language with the place it names; a collection of
one part is that part (issue 13, part 4)."""

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils import translation

from gis.validation import clean_geometry

BOWTIE = "POLYGON((120.5 27.9,120.6 28,120.6 27.9,120.5 28,120.5 27.9))"


def test_a_self_intersection_is_explained_in_chinese_with_its_place():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        clean_geometry(GEOSGeometry(BOWTIE, srid=4326), allowed=("MultiPolygon",))
    message = refused.value.messages[0]
    assert "Self-intersection" not in message
    assert translation.gettext("the outline crosses itself") in message or "自相交" in message
    assert "120.55, 27.95" in message


def test_a_multipoint_of_one_point_is_a_point():
    geometry = clean_geometry(
        GEOSGeometry("MULTIPOINT((120.5 27.9))", srid=4326), allowed=("Point", "MultiPolygon")
    )
    assert geometry.geom_type == "Point"
    assert geometry.srid == 4326


def test_a_multipoint_of_two_points_is_still_refused_where_points_are_asked():
    with pytest.raises(ValidationError):
        clean_geometry(
            GEOSGeometry("MULTIPOINT((120.5 27.9),(120.6 27.9))", srid=4326), allowed=("Point",)
        )
