"""The legends under our maps: each entry's sample is drawn from the values that style its layer
(gis.maps), and named by the record's own choice labels, in the visitor's language."""

from django.utils.translation import gettext as _

from gis import maps
from gis.maps import LegendGroup, LegendItem, Swatch
from projects.models import Stage
from registry.models import Asset

# tile_map.js draws points with this fill opacity and outline width (buildings drawn as shapes
# take the same), and dims a retired record.
TILE_POINT_FILL_OPACITY = 0.9
TILE_OUTLINE_WIDTH = 2


def township_legend() -> list[LegendGroup]:
    """The vector tile map of a township (static/js/tile_map.js and its palette)."""
    palette = maps.tile_palette()
    unit = palette["unit"]
    in_use = palette["status"][Asset.Status.IN_USE]

    def feature(colour: str, shape: str) -> Swatch:
        return Swatch(shape, colour, TILE_POINT_FILL_OPACITY, in_use, TILE_OUTLINE_WIDTH)

    return [
        LegendGroup(
            _("Boundaries"),
            [
                LegendItem(
                    _("This township"), Swatch("line", stroke=unit["township"], stroke_width=3)
                ),
                LegendItem(
                    _("Its villages and communities"),
                    Swatch("line", stroke=unit["village"], stroke_width=1.5, dashed=True),
                ),
                LegendItem(
                    _("Neighbouring townships and villages"),
                    Swatch("area", unit["other_fill"], 0.18, unit["other_village"], 1),
                ),
            ],
        ),
        LegendGroup(
            _("Land parcels by land use"),
            [
                LegendItem(
                    label,
                    Swatch("area", palette["landUse"][value], palette["parcelOpacity"], in_use, 1),
                )
                for value, label in Asset.LandUse.choices
            ],
        ),
        LegendGroup(
            _("Outline by status"),
            [
                LegendItem(
                    label,
                    Swatch(
                        "area",
                        stroke=palette["status"][value],
                        stroke_width=TILE_OUTLINE_WIDTH,
                        dashed=value in palette["dashed"],
                    ),
                )
                for value, label in Asset.Status.choices
            ],
        ),
        LegendGroup(
            _("Buildings, facilities and sites"),
            [
                LegendItem(Asset.Kind.BUILDING.label, feature(palette["kind"]["building"], "area")),
                LegendItem(
                    Asset.Kind.FACILITY.label, feature(palette["kind"]["facility"], "point")
                ),
                LegendItem(
                    _("Education or culture site"),
                    Swatch("point", palette["site"], 1, palette["siteRing"], 3),
                ),
                LegendItem(
                    _("Visitor route"),
                    Swatch("line", stroke=palette["route"], stroke_width=3, dashed=True),
                ),
            ],
        ),
        LegendGroup(
            _("Small projects by stage"),
            [
                LegendItem(
                    stage.label,
                    Swatch("point", palette["stage"][stage.value], 0.95, palette["projectRing"], 2),
                )
                for stage in Stage
            ],
        ),
    ]


ASSET_SHAPES = {
    Asset.Kind.PARCEL: "area",
    Asset.Kind.BUILDING: "area",
    Asset.Kind.FACILITY: "point",
}


def record_legend() -> list[LegendGroup]:
    """The folium maps of the home and unit pages (gis.maps.record_map): assets by kind,
    small projects by stage."""
    return [
        LegendGroup(
            _("Collective assets"),
            [
                LegendItem(kind.label, Swatch.of(maps.asset_style(kind.value), ASSET_SHAPES[kind]))
                for kind in Asset.Kind
            ],
        ),
        LegendGroup(
            _("Small projects by stage"),
            [
                LegendItem(stage.label, Swatch.of(maps.project_style(stage.value), "point"))
                for stage in Stage
            ],
        ),
    ]
