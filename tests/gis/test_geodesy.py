import math

import pytest

from gis.geodesy import (
    MEAN_RADIUS,
    WGS84_A,
    WGS84_F,
    NoConvergence,
    distance,
    haversine,
    leg_lengths,
    path_length,
    vincenty_inverse,
)

MM = 0.001


def dms(degrees: int, minutes: int, seconds: float) -> float:
    sign = -1 if degrees < 0 else 1
    return sign * (abs(degrees) + minutes / 60 + seconds / 3600)


def meridian_arc(lat1: float, lat2: float, steps: int = 2000) -> float:
    """Metres along a meridian, by Simpson's rule on the radius of curvature M(φ)."""
    e2 = WGS84_F * (2 - WGS84_F)

    def m(phi: float) -> float:
        return WGS84_A * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5

    a, b = math.radians(lat1), math.radians(lat2)
    h = (b - a) / steps
    total = m(a) + m(b)
    total += sum((4 if i % 2 else 2) * m(a + i * h) for i in range(1, steps))
    return total * h / 3


def test_flinders_peak_to_buninyong_matches_the_published_vincenty_result():
    # Geoscience Australia's worked example of Vincenty's inverse formula: 54 972.271 m.
    metres = vincenty_inverse(
        dms(-37, 57, 3.72030),
        dms(144, 25, 29.52440),
        dms(-37, 39, 10.15610),
        dms(143, 55, 35.38390),
    )
    assert metres == pytest.approx(54_972.271, abs=MM)


def test_one_degree_of_latitude_at_the_equator_is_110_574_m():
    metres = vincenty_inverse(0, 120, 1, 120)
    assert metres == pytest.approx(meridian_arc(0, 1), abs=MM)
    assert round(metres) == 110_574


def test_one_degree_of_latitude_grows_towards_the_pole():
    assert vincenty_inverse(45, 0, 46, 0) == pytest.approx(meridian_arc(45, 46), abs=MM)
    assert vincenty_inverse(89, 0, 90, 0) == pytest.approx(meridian_arc(89, 90), abs=MM)
    assert round(vincenty_inverse(89, 0, 90, 0)) == 111_694


def test_one_degree_along_the_equator_is_the_equatorial_radius_times_pi_over_180():
    assert vincenty_inverse(0, 120, 0, 121) == pytest.approx(WGS84_A * math.pi / 180, abs=MM)


def test_distance_is_symmetric_and_zero_for_one_point():
    a, b = (120.65, 27.78), (120.55, 27.90)
    assert distance(a, b) == pytest.approx(distance(b, a), abs=MM)
    assert distance(a, a) == 0


def test_nearly_antipodal_points_fall_back_to_the_haversine():
    with pytest.raises(NoConvergence):
        vincenty_inverse(0, 0, 0.5, 179.7)
    metres = distance((0, 0), (179.7, 0.5))
    assert metres == haversine(0, 0, 0.5, 179.7)
    assert metres == pytest.approx(math.pi * MEAN_RADIUS, rel=0.01)


def test_haversine_stays_within_half_a_percent_of_the_ellipsoid():
    ellipsoid = vincenty_inverse(27.78, 120.65, 27.90, 120.55)
    assert haversine(27.78, 120.65, 27.90, 120.55) == pytest.approx(ellipsoid, rel=0.005)


def test_path_length_is_the_sum_of_its_legs():
    path = [(120.65, 27.78), (120.60, 27.80), (120.55, 27.90)]
    legs = leg_lengths(path)
    assert len(legs) == 2
    assert path_length(path) == pytest.approx(sum(legs), abs=MM)
    assert path_length(path[:1]) == 0
