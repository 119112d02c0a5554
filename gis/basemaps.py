"""The basemap under public and admin maps, chosen by the BASEMAP setting.

"none" draws our own features on a plain background and needs no internet at all;
"osm" uses OpenStreetMap tiles; "tianditu:<key>" the official CGCS2000 service (a key is
required). Our data are WGS84, which these three share within a metre.
"""

from dataclasses import dataclass

from django.conf import settings

TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
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

    @property
    def is_offline(self) -> bool:
        return not self.layers


def current_basemap(value: str | None = None) -> Basemap:
    value = (value if value is not None else settings.BASEMAP).strip()
    kind, _, key = value.partition(":")
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
    return Basemap("none")
