"""`{% record_map_legend %}`: the legend of the folium maps on the home and unit pages."""

from django import template

from maps.legends import record_legend

register = template.Library()


@register.inclusion_tag("gis/partials/map_legend.html")
def record_map_legend() -> dict:
    return {"legend": record_legend()}
