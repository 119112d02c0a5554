"""Links that open a place in the navigation apps Chinese phones have: AMap (高德), Baidu and
Tencent (腾讯地图).

Each app reads its own coordinate system: AMap and Tencent GCJ-02, Baidu BD-09. Our WGS84 point
is shifted for each link at display time (`gis.chinacoords`), never in the database. The URL
forms are the apps' public "marker" URIs (uri.amap.com/marker; api.map.baidu.com/marker, in
Baidu's "Web 端 URI API"; apis.map.qq.com/uri/v1/marker, in Tencent's "URI API"): on a phone they
hand over to the installed app, elsewhere they open its web map.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from gis.chinacoords import wgs84_to_bd09, wgs84_to_gcj02

SOURCE = "qinglian"  # Baidu asks each caller to name itself (src)


@dataclass(frozen=True)
class NavigationLink:
    app: str  # "amap" | "baidu" | "tencent"
    url: str


def navigation_links(lon: float, lat: float, name: str) -> list[NavigationLink]:
    """AMap, Baidu and Tencent links to the WGS84 point (lon, lat in degrees) named `name`."""
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    bd_lon, bd_lat = wgs84_to_bd09(lon, lat)
    amap = urlencode(
        {
            "position": f"{gcj_lon:.6f},{gcj_lat:.6f}",
            "name": name,
            "coordinate": "gaode",
            "callnative": 1,
            "src": SOURCE,
        }
    )
    baidu = urlencode(
        {
            "location": f"{bd_lat:.6f},{bd_lon:.6f}",
            "title": name,
            "content": name,
            "coord_type": "bd09ll",
            "output": "html",
            "src": f"webapp.{SOURCE}",
        }
    )
    # Tencent's marker is one parameter of ";"-separated fields: a name may not carry one.
    title = name.replace(";", " ").replace(":", " ")
    tencent = urlencode(
        {"marker": f"coord:{gcj_lat:.6f},{gcj_lon:.6f};title:{title}", "referer": SOURCE}
    )
    return [
        NavigationLink("amap", f"https://uri.amap.com/marker?{amap}"),
        NavigationLink("baidu", f"https://api.map.baidu.com/marker?{baidu}"),
        NavigationLink("tencent", f"https://apis.map.qq.com/uri/v1/marker?{tencent}"),
    ]
