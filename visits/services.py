"""Writing education bases, culture sites and their visitor routes."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry import services as registry_services
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import ensure_may
from trail.models import Event
from visits.models import Route, RouteStop, Site


def create_site(*, actor: User | None, **fields: object) -> Site:
    return registry_services.create(Site, actor=actor, **fields)


def update_site(site: Site, *, actor: User | None, **fields: object) -> Site:
    return registry_services.update(site, actor=actor, **fields)


@transaction.atomic
def set_route_stops(route: Route, *, actor: User | None, sites: Iterable[Site]) -> Route:
    """Replace the route's stops and redraw its path through them in order."""
    sites = list(sites)
    if len(sites) < 2:
        raise ValidationError(_("A route needs at least two sites."))
    ensure_may(actor, Task.EDIT_RECORD, route)
    before, _restricted = registry_services.snapshot(route)
    route.stops.all().delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, site=site, position=i) for i, site in enumerate(sites, start=1)
    )
    route.path = LineString([site.location.coords for site in sites], srid=4326)
    route.save(update_fields=["path", "updated"])
    after, _restricted = registry_services.snapshot(route)
    changes = registry_services.diff(before, after)
    registry_services.log_event(route, action=Event.Action.UPDATE, changes=changes, actor=actor)
    return route


@transaction.atomic
def create_route(
    *, actor: User | None, name: str, unit: AdminUnit, sites: Iterable[Site], description: str = ""
) -> Route:
    route = registry_services.create(
        Route, actor=actor, name=name, unit=unit, description=description
    )
    return set_route_stops(route, actor=actor, sites=sites)
