"""The Rui'an demo data set, loaded from the data files in `fixtures/`.

Each file is a list of steps, in the order the record was built: the service to call (`do`) and
its arguments. Units and assets are GeoJSON FeatureCollections (WGS84), one feature a step, its
geometry the record's boundary or geometry; the rest are JSON lists. Every step runs through the
services with actor=None, so each demo record carries its whole history in the public log.

Values: ISO dates and times are dates and times; numbers with a fraction are exact decimals
(money, areas); `{"type": ..., "coordinates": ...}` is a GeoJSON geometry; `{"$unit": code}`,
`{"$asset": "village code/name"}`, `{"$project": name}`, `{"$lease": "village code/asset
name@start"}`, `{"$auction": "village code/asset name@announced on"}`, `{"$site": name}` and
`{"$cooperative": village code}` name records made by earlier steps.

The data were made once by a seeded generator (DEMO_TODAY 2026-11-01) and every geometry lies
inside the outline of 瑞安市 in `fixtures/geo/ruian_outline.geojson`.
"""

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from leasing import auctions
from leasing import services as lease_services
from leasing.models import Auction, Lease, LeasePayment
from projects import procedure
from projects import services as project_services
from projects.models import Project
from registry import services
from registry.models import AdminUnit, Asset, Cooperative, Profile
from registry.signals import demo_inspections_wanted, demo_users_ready
from trail.models import Event
from visits import services as visit_services
from visits.models import Route, Site

DEMO_TODAY = dt.date(2026, 11, 1)
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# The files in the order they are loaded, and the record key each GeoJSON feature's geometry is.
FILES = (
    ("units.geojson", "boundary"),
    ("assets.geojson", "geometry"),
    ("leases.json", None),
    ("projects.json", None),
    ("sites.json", None),
    ("routes.json", None),
    ("auctions.json", None),
)
CITY_CODE = "330381"
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})")


class FixtureError(Exception):
    """A step of a demo file that cannot run: the file, the step's number and why."""


def _asset(key: str) -> Asset:
    village, name = key.split("/", 1)
    return Asset.objects.get(village__code=village, name=name)


def _on_asset(model: type[Model], key: str, date_field: str) -> Model:
    asset, day = key.rsplit("@", 1)
    village, name = asset.split("/", 1)
    return model.objects.get(
        asset__village__code=village, asset__name=name, **{date_field: dt.date.fromisoformat(day)}
    )


REFERENCES: dict[str, Callable[[str], Model]] = {
    "$unit": lambda code: AdminUnit.objects.get(code=code),
    "$cooperative": lambda code: Cooperative.objects.get(village__code=code),
    "$asset": _asset,
    "$project": lambda name: Project.objects.get(name=name),
    "$lease": lambda key: _on_asset(Lease, key, "start_on"),
    "$auction": lambda key: _on_asset(Auction, key, "announced_on"),
    "$site": lambda name: Site.objects.get(name=name),
}


def value(raw: object) -> object:
    """A step's argument as the services take it (see the module's docstring)."""
    if isinstance(raw, str):
        if DATE.fullmatch(raw):
            return dt.date.fromisoformat(raw)
        if DATETIME.fullmatch(raw):
            return dt.datetime.fromisoformat(raw)
        return raw
    if isinstance(raw, list):
        return [value(item) for item in raw]
    if isinstance(raw, dict):
        if "coordinates" in raw and "type" in raw:
            return GEOSGeometry(json.dumps(raw, default=float), srid=4326)
        [(key, name)] = raw.items()
        return REFERENCES[key](name)
    return raw


def demo_pdf(*lines: str) -> bytes:
    """A one-page PDF with a few ASCII lines: a stand-in for a scanned procedure document."""
    text = " ".join(
        f"BT /F1 12 Tf 60 {760 - 20 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def attach_document(project: Project, *, actor, kind: str, title: str, issued_on: dt.date):
    """A procedure document: the demo PDF stands in for the scan."""
    data = demo_pdf("Qinglian demo document", f"Project {project.pk}: {kind}", str(issued_on))
    upload = SimpleUploadedFile(f"{kind}.pdf", data, content_type="application/pdf")
    return procedure.attach_document(
        project, actor=actor, kind=kind, title=title, issued_on=issued_on, upload=upload
    )


def inspect(*, actor, projects: list) -> None:
    """Projects past construction need a site inspection on that date before acceptance; the
    field app records them (`demo_inspections_wanted`), the registry cannot."""
    wanted = [(Project.objects.get(name=name), value(day)) for name, day in projects]
    demo_inspections_wanted.send(sender=Project, projects=wanted)


SERVICES: dict[str, Callable] = {
    "create_admin_unit": services.create_admin_unit,
    "create_cooperative": services.create_cooperative,
    "create_asset": services.create_asset,
    "retire_asset": services.retire_asset,
    "create_lease": lease_services.create_lease,
    "record_lease_payment": lease_services.record_lease_payment,
    "renew_lease": lease_services.renew_lease,
    "declare_sublet": lease_services.declare_sublet,
    "create_project": project_services.create_project,
    "update_project": project_services.update_project,
    "record_deliberation": procedure.record_deliberation,
    "record_disclosure": procedure.record_disclosure,
    "set_guidance_price": procedure.set_guidance_price,
    "record_contract": procedure.record_contract,
    "advance": procedure.advance,
    "record_acceptance": procedure.record_acceptance,
    "record_settlement": procedure.record_settlement,
    "attach_document": attach_document,
    "inspect": inspect,
    "create_site": visit_services.create_site,
    "create_route": visit_services.create_route,
    "announce_auction": auctions.announce_auction,
    "record_bid": auctions.record_bid,
    "publish_result": auctions.publish_result,
    "cancel_auction": auctions.cancel_auction,
}


def read_steps(name: str, geometry_key: str | None) -> Iterator[dict]:
    """The steps of one file; a GeoJSON feature's geometry becomes its `geometry_key`."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"), parse_float=Decimal)
    if geometry_key is None:
        yield from data
        return
    for feature in data["features"]:
        step = dict(feature["properties"])
        if feature.get("geometry") is not None:
            step[geometry_key] = feature["geometry"]
        yield step


def run_step(step: dict) -> object:
    arguments = {key: value(raw) for key, raw in step.items() if key != "do"}
    service = SERVICES[step["do"]]
    if "subject" in arguments:
        return service(arguments.pop("subject"), actor=None, **arguments)
    return service(actor=None, **arguments)


def is_loaded() -> bool:
    return AdminUnit.objects.filter(code=CITY_CODE).exists()


def load_demo() -> None:
    """Run every step of every file, in order. The caller wraps it in a transaction.

    Raises FixtureError naming the file and step that failed (a refused step, an unknown
    service or a reference to a record no earlier step made)."""
    for name, geometry_key in FILES:
        for number, step in enumerate(read_steps(name, geometry_key), start=1):
            try:
                run_step(step)
            except (KeyError, ValueError, ObjectDoesNotExist, ValidationError) as exc:
                where = f"fixtures/{name}, step {number} ({step.get('do')})"
                raise FixtureError(f"{where}: {exc!r}") from exc


def summary() -> dict[str, object]:
    active = Lease.objects.filter(start_on__lte=DEMO_TODAY, end_on__gt=DEMO_TODAY)
    baiyanqiao = sum(lease.annual_rent for lease in active.filter(asset__village__name="白岩桥村"))
    return {
        "admin units": AdminUnit.objects.count(),
        "cooperatives": Cooperative.objects.count(),
        "assets": Asset.objects.count(),
        "projects": Project.objects.count(),
        "leases": Lease.objects.count(),
        "rent payments": LeasePayment.objects.count(),
        "auctions": Auction.objects.count(),
        "sites": Site.objects.count(),
        "routes": Route.objects.count(),
        "events": Event.objects.count(),
        "Baiyanqiao rent/year": f"{baiyanqiao:,.0f} yuan",
    }


def ensure_demo_users(password: str) -> list[tuple[str, str]]:
    """The demo logins of fixtures/users.json, one per role, with their password reset.
    (username, role) pairs."""
    logins = []
    for row in json.loads((FIXTURES / "users.json").read_text(encoding="utf-8")):
        user, _created = User.objects.get_or_create(username=row["username"])
        user.first_name = row["display_name"]
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=row["role"])[0]])
        profile, _created = Profile.objects.get_or_create(user=user)
        profile.units.set(AdminUnit.objects.filter(code__in=row["units"]))
        logins.append((row["username"], row["role"]))
    demo_users_ready.send(sender=User, users=[User.objects.get(username=u) for u, _r in logins])
    return logins
