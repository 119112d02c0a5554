"""Distances on the WGS84 ellipsoid, so a route's length is what a visitor's GPS would measure.

Planar distances in degrees are meaningless and a sphere is off by up to 0.5 %; Vincenty's
inverse formula is accurate to well under a millimetre on the ellipsoid. It fails to converge
only for nearly antipodal points, which no village route has, and there the haversine on the
mean sphere is a safe answer.
"""

import itertools
import math
from collections.abc import Iterable, Sequence

WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
MEAN_RADIUS = (2 * WGS84_A + WGS84_B) / 3  # IUGG mean radius R1, 6,371,008.77 m

Coordinate = Sequence[float]  # (longitude, latitude) in degrees, the GeoJSON and GEOS order


class NoConvergence(ArithmeticError):
    """Vincenty's iteration did not settle: the points are (nearly) antipodal."""


def vincenty_inverse(
    lat1: float,
    lon1: float,
    lat2: float,
    lon2: float,
    *,
    tolerance: float = 1e-12,
    max_iterations: int = 200,
) -> float:
    """Ellipsoidal distance in metres between two WGS84 points (T. Vincenty, 1975)."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    f = WGS84_F
    big_l = math.radians(lon2 - lon1)
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sin_u1, cos_u1 = math.sin(u1), math.cos(u1)
    sin_u2, cos_u2 = math.sin(u2), math.cos(u2)

    lam = big_l
    for _ in range(max_iterations):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        # On the equator cos²α is 0 and the term vanishes (Vincenty's note).
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam) > math.pi:
            raise NoConvergence(f"λ left [-π, π] for ({lat1}, {lon1}) → ({lat2}, {lon2})")
        if abs(lam - previous) < tolerance:
            break
    else:
        raise NoConvergence(f"no convergence for ({lat1}, {lon1}) → ({lat2}, {lon2})")

    u_sq = cos2_alpha * (WGS84_A**2 - WGS84_B**2) / WGS84_B**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return WGS84_B * big_a * (sigma - delta_sigma)


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on the mean sphere; within 0.5 % of the ellipsoid."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lam = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lam / 2) ** 2
    return 2 * MEAN_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def distance(a: Coordinate, b: Coordinate) -> float:
    """Metres between two (lon, lat) points: Vincenty, or haversine where Vincenty fails."""
    (lon1, lat1), (lon2, lat2) = a[:2], b[:2]
    try:
        return vincenty_inverse(lat1, lon1, lat2, lon2)
    except NoConvergence:
        return haversine(lat1, lon1, lat2, lon2)


def leg_lengths(coords: Iterable[Coordinate]) -> list[float]:
    """Metres of each leg of a polyline given as (lon, lat) vertices."""
    return [distance(a, b) for a, b in itertools.pairwise(coords)]


def path_length(coords: Iterable[Coordinate]) -> float:
    """Metres along a polyline given as (lon, lat) vertices, summed without rounding drift."""
    return math.fsum(leg_lengths(coords))
