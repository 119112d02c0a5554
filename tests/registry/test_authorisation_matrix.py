"""Every write route, for every role, on a record inside and one outside the user's units:
allowed or refused exactly as the README's role table says. A refusal leaves the record as it
was and appends nothing to the public log.

The expected table is written out here, not read from registry.roles, so that a change to the
rules there shows up as a failure here.
"""

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from fieldapp.models import SupervisorNote
from fieldapp.receivers import inspect_demo_projects
from leasing import auctions
from leasing import services as lease_services
from leasing.models import Lease
from leasing.models.auctions import Auction
from projects import services as project_services
from projects.models import Stage
from qr.models import ElectronicId
from registry import services
from registry.models import AdminUnit, Asset
from tests.projects.walk import DAYS, new_project, walk_to
from trail.models import Event
from visits import services as visit_services
from visits.models import Site

pytestmark = pytest.mark.django_db

INSIDE, OUTSIDE = "东岙村", "白岩桥村"  # inside every demo user's units / outside Caocun's
ROLES = ("anonymous", "superuser", "city", "township", "bookkeeper", "supervisor", "inspector")
EVERYTHING = {"edit", "procedure", "acceptance", "lease", "auction", "codes", "import", "field"}
MAY = {
    "anonymous": set(),
    "superuser": EVERYTHING,
    "city": EVERYTHING,
    "township": {"edit", "procedure", "lease", "auction", "codes", "import"},
    "bookkeeper": {"procedure", "lease"},
    "supervisor": {"field", "acceptance"},
    "inspector": {"field", "acceptance"},
}
CITY_WIDE = {"superuser", "city"}


ADMIN_FORMS = [
    ("registry.asset", {"edit"}),
    ("projects.project", {"edit"}),
    ("leasing.lease", {"lease"}),
]


def allowed(role: str, tasks: set[str], where: str) -> bool:
    return bool(MAY[role] & tasks) and (where == "inside" or role in CITY_WIDE)


def square(centre: Point, half: float = 0.0004) -> MultiPolygon:
    x, y = centre.x, centre.y
    ring = ((x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y - half))
    return MultiPolygon(Polygon(ring), srid=4326)


def free_buildings(village: AdminUnit) -> list[Asset]:
    return list(
        Asset.objects.filter(village=village, kind="building", leases__isnull=True)
        .exclude(status=Asset.Status.RETIRED)
        .exclude(auctions__status=Auction.Status.ANNOUNCED)
        .order_by("pk")[:2]
    )


def records_of(village: AdminUnit) -> dict:
    today = timezone.localdate()
    centre = village.boundary.point_on_surface
    leased, auctioned = free_buildings(village)
    lease = lease_services.create_lease(
        actor=None,
        asset=leased,
        tenant_name="矩阵租户",
        tenant_kind=Lease.TenantKind.PERSON,
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=700),
        annual_rent=Decimal("12000"),
        payment_schedule=Lease.Schedule.ANNUAL,
        deposit=Decimal("0"),
        awarded_by=Lease.Award.TENDER,
    )
    auction = auctions.announce_auction(
        auctioned,
        actor=None,
        title="矩阵测试拍租",
        announced_on=today - dt.timedelta(days=5),
        held_on=today + dt.timedelta(days=10),
        place="村委会会议室",
        reserve_price=Decimal("10000"),
        lease_start_on=today + dt.timedelta(days=40),
        lease_end_on=today + dt.timedelta(days=40 + 3 * 365),
    )
    uncoded = services.create_asset(
        actor=None,
        kind="parcel",
        name="矩阵地块",
        village=village,
        owner=village.cooperatives.first(),
        geometry=square(centre),
        land_use="farmland",
    )
    site = visit_services.create_site(
        actor=None,
        kind=Site.Kind.PAVILION,
        name="矩阵清廉亭",
        unit=village,
        location=centre,
    )
    building = walk_to(new_project(village, name="矩阵施工项目"), Stage.CONSTRUCTION)
    inspect_demo_projects(None, projects=[(building, DAYS["inspected"])])
    building = project_services.update_project(building, actor=None, progress_percent=100)
    return {
        "village": village,
        "asset": leased,
        "uncoded": uncoded,
        "project": new_project(village, name="矩阵立项项目"),
        "building": building,
        "lease": lease,
        "auction": auction,
        "site": site,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Records inside and outside the demo users' units, made once for the module and rolled
    back after it (each test runs in a savepoint inside this transaction)."""
    with django_db_blocker.unblock(), transaction.atomic():
        root = User.objects.create_superuser("matrix-root", "root@example.cn", "x")
        yield {
            "root": root,
            "inside": records_of(AdminUnit.objects.get(name=INSIDE)),
            "outside": records_of(AdminUnit.objects.get(name=OUTSIDE)),
        }
        transaction.set_rollback(True)


def client_for(role: str) -> Client:
    client = Client()
    if role == "superuser":
        client.force_login(User.objects.get(username="matrix-root"))
    elif role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def as_json(client: Client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@dataclass(frozen=True)
class Route:
    """One way to write: what it needs (any of `tasks`), how to call it, and what it changes."""

    name: str
    tasks: frozenset[str]
    call: Callable[[Client, dict], object]
    state: Callable[[dict], object]
    ok: frozenset[int]
    refused: frozenset[int]

    def __str__(self) -> str:
        return self.name


API_REFUSED = frozenset({401, 403})
SCREEN_REFUSED = frozenset({302, 403, 404})  # 302: to the login page; 404: not among theirs
ADMIN_ACTION_REFUSED = frozenset({200, 302})  # the list again: no such action, or no such row


def _asset_payload(records: dict) -> dict:
    village = records["village"]
    return {
        "type": "Feature",
        "geometry": json.loads(square(village.boundary.point_on_surface, 0.0002).geojson),
        "properties": {
            "kind": "parcel",
            "name": "矩阵新地块",
            "village": village.code,
            "owner": village.cooperatives.first().pk,
            "land_use": "farmland",
        },
    }


def _staff_deliberation(client: Client, records: dict):
    url = reverse("staff:project", args=[records["project"].pk])
    held_on = (DAYS["proposed"] + dt.timedelta(days=1)).isoformat()
    body = {"action": "deliberation", "deliberation-step": "suggestion"}
    return client.post(url, body | {"deliberation-held_on": held_on})


def _field_note(client: Client, records: dict):
    url = reverse("fieldapp:note", args=["asset", records["asset"].pk])
    return client.post(url, {"text": "矩阵巡查记录", "public": "on", "client_uuid": uuid.uuid4()})


def _issue_codes(client: Client, records: dict):
    return client.post(
        reverse("admin:registry_asset_changelist"),
        {"action": "issue_selected", "_selected_action": [records["uncoded"].pk]},
    )


def _renew(client: Client, records: dict):
    lease = records["lease"]
    end_on = (lease.end_on + dt.timedelta(days=365)).isoformat()
    url = f"/api/leases/{lease.pk}/renew/"
    return as_json(client, "post", url, {"end_on": end_on, "annual_rent": "12000.00"})


def _sublet(client: Client, records: dict):
    today = timezone.localdate()
    body = {
        "subtenant_name": "矩阵转租人",
        "start_on": today.isoformat(),
        "end_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    return as_json(client, "post", f"/api/leases/{records['lease'].pk}/sublets/", body)


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


ROUTES = [
    Route(
        "PATCH /api/assets/<id>/",
        frozenset({"edit"}),
        lambda c, r: as_json(
            c, "patch", f"/api/assets/{r['asset'].pk}/", {"properties": {"description": "矩阵"}}
        ),
        lambda r: _fresh(r["asset"]).description,
        frozenset({200}),
        API_REFUSED,
    ),
    Route(
        "POST /api/assets/",
        frozenset({"edit"}),
        lambda c, r: as_json(c, "post", "/api/assets/", _asset_payload(r)),
        lambda r: Asset.objects.filter(village=r["village"], name="矩阵新地块").count(),
        frozenset({201}),
        API_REFUSED,
    ),
    Route(
        "PATCH /api/projects/<id>/",
        frozenset({"edit"}),
        lambda c, r: as_json(
            c,
            "patch",
            f"/api/projects/{r['project'].pk}/",
            {"properties": {"name": "改名", "description": "矩阵"}},
        ),
        lambda r: (_fresh(r["project"]).name, _fresh(r["project"]).description),
        frozenset({200}),
        API_REFUSED,
    ),
    Route(
        "PATCH /api/sites/<id>/",
        frozenset({"edit"}),
        lambda c, r: as_json(
            c, "patch", f"/api/sites/{r['site'].pk}/", {"properties": {"story": "矩阵"}}
        ),
        lambda r: _fresh(r["site"]).story,
        frozenset({200}),
        API_REFUSED,
    ),
    Route(
        "POST /api/procedure/<id>/deliberations/",
        frozenset({"procedure"}),
        lambda c, r: as_json(
            c,
            "post",
            f"/api/procedure/{r['project'].pk}/deliberations/",
            {
                "step": "suggestion",
                "held_on": (DAYS["proposed"] + dt.timedelta(days=1)).isoformat(),
            },
        ),
        lambda r: r["project"].deliberations.count(),
        frozenset({201}),
        API_REFUSED,
    ),
    Route(
        "POST /api/procedure/<id>/advance/ to acceptance",
        frozenset({"procedure", "acceptance"}),
        lambda c, r: as_json(
            c,
            "post",
            f"/api/procedure/{r['building'].pk}/advance/",
            {"to": "acceptance", "on": DAYS["acceptance"].isoformat()},
        ),
        lambda r: _fresh(r["building"]).stage,
        frozenset({200}),
        API_REFUSED,
    ),
    Route(
        "POST /api/auctions/<id>/cancel/",
        frozenset({"auction"}),
        lambda c, r: as_json(
            c, "post", f"/api/auctions/{r['auction'].pk}/cancel/", {"reason": "矩阵测试"}
        ),
        lambda r: _fresh(r["auction"]).status,
        frozenset({200}),
        API_REFUSED,
    ),
    Route(
        "POST /api/leases/<id>/renew/",
        frozenset({"lease"}),
        _renew,
        lambda r: Lease.objects.filter(renews=r["lease"]).count(),
        frozenset({201}),
        API_REFUSED,
    ),
    Route(
        "POST /api/leases/<id>/sublets/",
        frozenset({"lease"}),
        _sublet,
        lambda r: r["lease"].sublets.count(),
        frozenset({201}),
        API_REFUSED,
    ),
    Route(
        "POST /staff/projects/<id>/ deliberation",
        frozenset({"procedure"}),
        _staff_deliberation,
        lambda r: r["project"].deliberations.count(),
        frozenset({302}),
        SCREEN_REFUSED,
    ),
    Route(
        "POST /staff/auctions/<id>/ cancel",
        frozenset({"auction"}),
        lambda c, r: c.post(
            reverse("auctions:day", args=[r["auction"].pk]),
            {"action": "cancel", "cancel-reason": "矩阵测试"},
        ),
        lambda r: _fresh(r["auction"]).status,
        frozenset({302}),
        SCREEN_REFUSED,
    ),
    Route(
        "admin action: issue electronic IDs",
        frozenset({"codes"}),
        _issue_codes,
        lambda r: ElectronicId.objects.filter(subject_id=r["uncoded"].pk, prefix="D").count(),
        frozenset({302}),
        ADMIN_ACTION_REFUSED,
    ),
    Route(
        "POST /field/<kind>/<id>/note/",
        frozenset({"field"}),
        _field_note,
        lambda r: SupervisorNote.objects.filter(subject_id=r["asset"].pk).count(),
        frozenset({302}),
        SCREEN_REFUSED,
    ),
]


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_write_route_allows_exactly_the_roles_of_the_table(world, route, role, where):
    records = world[where]
    before, events = route.state(records), Event.objects.count()
    response = route.call(client_for(role), records)
    if allowed(role, route.tasks, where):
        assert response.status_code in route.ok, response.content[:500]
        assert route.state(records) != before
        assert Event.objects.count() > events
    else:
        assert response.status_code in route.refused, response.content[:500]
        assert route.state(records) == before
        assert Event.objects.count() == events


def test_an_inspector_cannot_patch_a_project_through_the_api(world):
    """Security finding 2: the inspector's token changed a project's name and description."""
    project = world["inside"]["project"]
    key = Token.objects.get_or_create(user=User.objects.get(username="inspector"))[0].key
    events = Event.objects.count()
    response = Client().patch(
        f"/api/projects/{project.pk}/",
        json.dumps({"properties": {"name": "巡查员改的名字", "description": "改了"}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert (project.name, project.description) == ("矩阵立项项目", "")
    assert Event.objects.count() == events


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("model", "tasks"), ADMIN_FORMS)
def test_the_admin_change_form_saves_only_for_the_roles_of_the_table(
    world, model, tasks, role, where
):
    record = world[where][model.split(".")[1]]
    url = reverse(f"admin:{model.replace('.', '_')}_change", args=[record.pk])
    client = client_for(role)
    page = client.get(url)
    may_save = page.status_code == 200 and 'name="_save"' in page.content.decode()
    assert may_save is allowed(role, tasks, where)
    if not may_save:
        events = Event.objects.count()
        response = client.post(url, {"name": "改名", "tenant_name": "改名"})
        assert response.status_code in (302, 403)
        assert Event.objects.count() == events
        assert _fresh(record).updated == record.updated


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("model", "tasks"), ADMIN_FORMS)
def test_the_admin_add_form_opens_only_for_the_roles_of_the_table(world, model, tasks, role):
    response = client_for(role).get(reverse(f"admin:{model.replace('.', '_')}_add"))
    if allowed(role, tasks, "inside"):
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_asset_import_opens_only_for_the_roles_of_the_table(world, role):
    response = client_for(role).get(reverse("transfer:import"))
    if allowed(role, {"import"}, "inside"):
        assert response.status_code == 200
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
