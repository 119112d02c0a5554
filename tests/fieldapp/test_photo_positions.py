"""A photo's GPS is its position only when it is one (issue 13, part 1): zero tags (what
Android photo pickers write), positions outside the deployment's plausible extent and
lower-case references are handled, never stored as a far-away place."""

import pytest

from fieldapp import photos as photo_files
from tests.fieldapp.photos import jpeg


def test_gps_tags_of_zeros_are_no_position():
    prepared = photo_files.prepare(jpeg(lon=0.0, lat=0.0))
    assert (prepared.lon, prepared.lat) == (None, None)


@pytest.mark.parametrize(("lon", "lat"), [(-74.0, 40.7), (2.35, 48.85), (120.6, -27.8)])
def test_a_position_outside_china_is_no_position(lon, lat):
    prepared = photo_files.prepare(jpeg(lon=abs(lon), lat=abs(lat), refs=_refs(lon, lat)))
    assert (prepared.lon, prepared.lat) == (None, None)


def test_lower_case_references_mean_south_and_west():
    prepared = photo_files.prepare(jpeg(lon=151.2, lat=33.9, refs=("s", "e")))
    assert prepared.lat is None  # south of the equator: outside China, so no position
    assert photo_files._degrees((33.0, 54.0, 0.0), "s") == pytest.approx(-33.9)
    assert photo_files._degrees((74.0, 0.0, 0.0), b"w\x00") == pytest.approx(-74.0)


def test_a_real_position_in_ruian_is_kept():
    prepared = photo_files.prepare(jpeg(lon=120.64, lat=27.78))
    assert prepared.lon == pytest.approx(120.64, abs=1e-4)
    assert prepared.lat == pytest.approx(27.78, abs=1e-4)


def _refs(lon: float, lat: float) -> tuple[str, str]:
    return ("N" if lat >= 0 else "S", "E" if lon >= 0 else "W")
