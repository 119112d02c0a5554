from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from leasing import services as lease_services
from projects import procedure
from projects import services as project_services
from projects.models import Project
from registry import services
from registry.models import AdminUnit, Asset
from tests.projects.walk import new_project, walk_to
from trail.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Assert on the English messages (the zh-Hans ones are the same catalogue entries)."""
    with translation.override("en"):
        yield


@pytest.fixture
def village():
    return AdminUnit.objects.get(name="东岙村")


def square(lon: float, lat: float, size: float = 0.001, srid: int = 4326) -> MultiPolygon:
    ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]
    return MultiPolygon(Polygon(ring), srid=srid)


def new_parcel(village, **overrides):
    fields = {
        "kind": Asset.Kind.PARCEL,
        "name": "测试地块",
        "village": village,
        "owner": village.cooperatives.first(),
        "geometry": square(120.52, 27.90),
        "land_use": Asset.LandUse.FARMLAND,
        "book_value": Decimal("12345.00"),
    }
    return services.create_asset(actor=None, **(fields | overrides))


def test_creating_an_asset_logs_its_public_fields_but_not_restricted_values(village):
    before = Event.objects.count()
    asset = new_parcel(village)
    event = Event.objects.get(seq=before + 1) if before else Event.objects.latest("seq")
    assert event.subject_id == asset.pk
    assert event.action == "create"
    assert event.changes["name"] == "测试地块"
    assert "12345" not in str(event.changes)
    assert event.changes["_restricted_fields_changed"] == ["book_value"]
    assert event.unit_id == village.pk


def test_an_update_that_changes_nothing_logs_nothing(village):
    asset = new_parcel(village)
    count = Event.objects.count()
    services.update_asset(asset, actor=None, name="测试地块")
    assert Event.objects.count() == count


def test_an_update_logs_old_and_new_value(village):
    asset = new_parcel(village)
    services.update_asset(asset, actor=None, status=Asset.Status.IDLE)
    event = Event.objects.latest("seq")
    assert event.changes == {"status": {"from": "in_use", "to": "idle"}}


def test_self_intersecting_parcel_is_refused_and_nothing_is_saved(village):
    bowtie = MultiPolygon(
        Polygon(
            [(120.52, 27.90), (120.53, 27.91), (120.53, 27.90), (120.52, 27.91), (120.52, 27.90)]
        ),
        srid=4326,
    )
    assets, events = Asset.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        new_parcel(village, geometry=bowtie)
    assert "invalid" in str(exc.value).lower() or "无效" in str(exc.value)
    assert (Asset.objects.count(), Event.objects.count()) == (assets, events)


def test_geometry_in_a_projected_srid_is_refused(village):
    with pytest.raises(ValidationError, match="4549"):
        new_parcel(village, geometry=square(500000, 3070000, 100, srid=4549))


def test_geometry_outside_china_suggests_swapped_coordinates(village):
    with pytest.raises(ValidationError, match="swapped"):
        new_parcel(village, geometry=square(27.90, 120.52))


def test_negative_book_value_is_refused(village):
    with pytest.raises(ValidationError):
        new_parcel(village, book_value=Decimal("-1"))


def test_parcel_area_is_measured_in_gauss_kruger_and_shown_in_mu(village):
    # A 100 m × 100 m square drawn in CGCS2000 / GK CM 120E, stored as WGS84.
    gk = square(500000, 3075000, 100, srid=4549)
    gk.transform(4326)
    asset = new_parcel(village, geometry=gk)
    assert abs(asset.area_m2 - Decimal("10000")) < Decimal("0.5")
    assert asset.area_mu == Decimal("15.00")


def test_a_project_over_200000_yuan_is_refused(village):
    project = walk_to(new_project(village), "budget")
    with pytest.raises(ValidationError, match="200,000"):
        procedure.set_guidance_price(
            project, actor=None, budget_price=Decimal("200000.01"), guidance_agency="某公司"
        )
    assert Project.objects.get(pk=project.pk).budget_price is None


def test_the_database_itself_refuses_a_project_over_the_threshold(village):
    project = new_project(village)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("250000"))


def test_a_new_project_starts_at_the_proposal_and_its_stage_is_not_edited_directly(village):
    with pytest.raises(ValidationError) as exc:
        new_project(village, stage="budget", budget_priced_on="2026-03-20")
    assert "stage" in exc.value.message_dict
    project = new_project(village)
    with pytest.raises(ValidationError) as exc:
        project_services.update_project(project, actor=None, stage="budget")
    assert "stage" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        project_services.update_project(project, actor=None, contract_amount=Decimal("1000"))
    assert "contract_amount" in exc.value.message_dict


def test_a_lease_ending_before_it_starts_is_refused(village):
    asset = Asset.objects.filter(village=village, kind="building").first()
    with pytest.raises(ValidationError, match="end after"):
        lease_services.create_lease(
            actor=None,
            asset=asset,
            tenant_name="张三",
            start_on="2026-01-01",
            end_on="2025-01-01",
            annual_rent=Decimal("1000"),
            awarded_by="auction",
        )


def test_township_staff_cannot_edit_another_townships_asset(demo_user):
    township = demo_user("township")  # scoped to 曹村镇
    elsewhere = Asset.objects.filter(village__name="白岩桥村").first()
    with pytest.raises(PermissionDenied):
        services.update_asset(elsewhere, actor=township, description="x")
    own = Asset.objects.filter(village__parent__name="曹村镇").exclude(status="retired").first()
    services.update_asset(own, actor=township, description="新的说明")
    assert Event.objects.latest("seq").actor_name == "township"


def test_a_retired_asset_cannot_be_changed(village):
    asset = new_parcel(village)
    services.retire_asset(asset, actor=None)
    assert Event.objects.latest("seq").action == "retire"
    with pytest.raises(ValidationError, match="retired"):
        services.update_asset(asset, actor=None, name="改名")
