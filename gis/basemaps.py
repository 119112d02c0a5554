"""The basemap under public and admin maps, chosen by the BASEMAP setting.

"none" draws our own features on a plain background and needs no internet at all;
"osm" uses OpenStreetMap tiles; "tianditu:<key>" the official CGCS2000 service (a key is
required). Our data are WGS84, which these three share within a metre.

"amap" uses AMap (Gaode) tiles, which are drawn in GCJ-02, a few hundred metres from WGS84.
Such a basemap has `crs == GCJ02`: every map that draws our data on it must shift the data to
GCJ-02 at display time (`gis.chinacoords`), never in the database.
"""

from dataclasses import dataclass

from django.conf import settings

WGS84 = "wgs84"
GCJ02 = "gcj02"

TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile"
    "?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
)


@dataclass(frozen=True)
class TileSource:
    url: str
    attribution: str
    subdomains: str = "abc"
    overlay: bool = False


@dataclass(frozen=True)
class Basemap:
    name: str
    layers: tuple[TileSource, ...] = ()
    crs: str = WGS84

    @property
    def is_offline(self) -> bool:
        return not self.layers

    @property
    def is_shifted(self) -> bool:
        """True when our WGS84 data must be moved to GCJ-02 to sit on this basemap's streets."""
        return self.crs == GCJ02


def current_basemap(value: str | None = None) -> Basemap:
    """Parse a BASEMAP value; anything unknown (or tianditu without a key) falls back to none.

    The kind is case-insensitive so "OSM" in an environment file does not silently mean none;
    the Tianditu key keeps its case.
    """
    value = (value if value is not None else settings.BASEMAP).strip()
    kind, _, key = value.partition(":")
    kind, key = kind.strip().lower(), key.strip()
    if kind == "osm":
        return Basemap(
            "osm",
            (
                TileSource(
                    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "&copy; OpenStreetMap contributors",
                    subdomains="",
                ),
            ),
        )
    if kind == "tianditu" and key:
        return Basemap(
            "tianditu",
            tuple(
                TileSource(
                    TIANDITU_URL.format(s="{s}", layer=layer, key=key),
                    "&copy; 天地图 Tianditu",
                    subdomains="01234567",
                    overlay=layer == "cva",
                )
                for layer in ("vec", "cva")
            ),
        )
    if kind == "amap":
        return Basemap(
            "amap",
            (TileSource(AMAP_URL, "&copy; 高德地图 AutoNavi", subdomains="1234"),),
            crs=GCJ02,
        )
    return Basemap("none")


def tile_origins(basemap: Basemap) -> list[str]:
    """The origins a browser fetches this basemap's tiles from, for the CSP's `img-src`.

    A `{s}` subdomain becomes `*`, so `https://t{s}.tianditu.gov.cn/…` gives
    `https://*.tianditu.gov.cn`; "none" needs no origin at all.
    """
    origins = []
    for layer in basemap.layers:
        scheme, _, rest = layer.url.partition("://")
        host = rest.split("/", 1)[0]
        if "{s}" in host:
            host = "*." + host.split(".", 1)[1]
        origin = f"{scheme}://{host}"
        if origin not in origins:
            origins.append(origin)
    return origins
