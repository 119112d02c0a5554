"""The demo data set comes from the data files in fixtures/: the same record as the seeded
generator it replaced made, every geometry inside the real outline of 瑞安市, and its public log
intact."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import call_command

from demo import loader
from fieldapp.models import Inspection
from finance.models import ApprovalStep, Payee, PaymentRequest, Receipt, Voucher
from leasing.models import Auction, Bid, Lease, LeasePayment, Sublet
from projects.models import Deliberation, Project, ProjectDocument
from registry.models import AdminUnit, Asset, Cooperative
from supervision.models import Case, Station
from trail.models import Event
from visits.models import Route, Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# What `load_demo` made with the generator (registry/demo.py) before the data moved to files.
GENERATOR_COUNTS = {
    AdminUnit: 23,
    Cooperative: 13,
    Asset: 359,
    Project: 48,  # 30 of the generator's, 18 planted for the warning rules (alerts' demo)
    Lease: 84,  # 69 and 15 planted for the warning rules
    LeasePayment: 440,
    Auction: 7,
    Bid: 11,
    Sublet: 1,
    Site: 20,
    Route: 2,
    Deliberation: 224,
    ProjectDocument: 132,
    Inspection: 22,
    Station: 13,  # one liaison station per village (supervision's demo)
    Case: 14,  # villagers' reports, in every state
    # Village money (finance's demo): the projects' payments, the demo villages' requests in
    # every state, the warnings' planted cases, two of W11's old projects paid (alerts' demo).
    Payee: 42,
    PaymentRequest: 64,
    ApprovalStep: 146,
    Voucher: 66,
    Receipt: 6,
    # The generator's 1905 (less the 8 steps that typed a project's "paid so far"),
    # supervision's stations and cases, alerts' planted cases, finance's demo.
    Event: 2402,
}
TOLERANCE_DEG = 0.00001  # about 1 m: the files' 7 decimals round vertices shared with the coast


def ruian_outline() -> GEOSGeometry:
    feature = json.loads((FIXTURES / "geo" / "ruian_outline.geojson").read_text())["features"][0]
    assert feature["properties"]["adcode"] == 330381
    return GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)


@pytest.mark.django_db
@pytest.mark.parametrize("model", GENERATOR_COUNTS, ids=lambda model: model.__name__)
def test_load_demo_from_fixtures_makes_what_the_generator_made(model):
    assert model.objects.count() == GENERATOR_COUNTS[model]


@pytest.mark.django_db
def test_the_demo_public_log_verifies():
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert f"{GENERATOR_COUNTS[Event]} events" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"),
    [
        (AdminUnit, "boundary"),
        (Asset, "geometry"),
        (Project, "location"),
        (Site, "location"),
        (Route, "path"),
    ],
)
def test_every_demo_geometry_lies_inside_the_real_outline_of_ruian(model, field):
    inside = ruian_outline().buffer(TOLERANCE_DEG)
    outside = [
        str(record) for record in model.objects.all() if not getattr(record, field).within(inside)
    ]
    assert outside == []


def test_the_fixture_files_geometries_lie_inside_the_outline_too():
    """The files themselves, as a GIS user opening them would see them."""
    inside = ruian_outline().buffer(TOLERANCE_DEG)
    for name in ("units.geojson", "assets.geojson"):
        features = json.loads((FIXTURES / name).read_text())["features"]
        for feature in features:
            if feature["geometry"]:
                geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
                assert geometry.within(inside), feature["properties"].get("name")


def test_a_step_that_cannot_run_names_its_file_and_number(db, tmp_path, monkeypatch):
    (tmp_path / "units.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": None,
                        "properties": {"do": "create_cooperative", "village": {"$unit": "999"}},
                    }
                ],
            }
        )
    )
    monkeypatch.setattr(loader, "FIXTURES", tmp_path)
    monkeypatch.setattr(loader, "FILES", (("units.geojson", "boundary"),))
    with pytest.raises(loader.FixtureError, match=r"fixtures/units.geojson, step 1"):
        loader.load_demo()
