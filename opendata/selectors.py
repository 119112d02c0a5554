"""Projects, leases and auctions as tables for CSV and Excel: public fields only.

Columns follow each model's PUBLIC_FIELDS, so a restricted field (a tenant's or bidder's
contact, a full personal name) cannot reach a file by accident; people appear only under their
public name (张**), and free text passes through `scrub`. Headers are in the reader's language,
or the English field names with choice codes instead of labels (`keys=True`) for programs.
The files themselves are written by `gis.spreadsheets`, which keeps formulas out of them.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leasing.models import Auction, Lease
from opendata.oc4ids import project_id, project_rows
from projects.models import Project
from qr.models import ElectronicId
from registry.models import Asset
from registry.privacy import scrub

CHUNK_ROWS = 500


@dataclass(frozen=True)
class Column:
    key: str
    title: object  # a lazy translation
    get: Callable[[Model, dt.date], object] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    model: type[Model]
    records: Callable[[], QuerySet]
    columns: tuple[Column, ...]

    def header(self, *, keys: bool = False) -> list[str]:
        return [c.key if keys else str(c.title) for c in self.columns]

    def rows(self, *, on: dt.date, keys: bool = False) -> Iterator[list]:
        for obj in self.records().iterator(chunk_size=CHUNK_ROWS):
            yield [
                _clean(c.get(obj, on) if c.get else _field_value(obj, c.key, keys), keys)
                for c in self.columns
            ]


def _field_value(obj: Model, key: str, keys: bool) -> object:
    model_field = obj._meta.get_field(key)
    value = getattr(obj, model_field.attname)
    if value in (None, "") or not model_field.choices or keys:
        return value
    return str(getattr(obj, f"get_{key}_display")())


def _clean(value: object, keys: bool) -> object:
    if isinstance(value, bool):
        if keys:
            return "true" if value else "false"
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str):
        return scrub(value)
    return value


def _asset_code() -> Subquery:
    return Subquery(
        ElectronicId.objects.filter(
            subject_type=ContentType.objects.get_for_model(Asset), subject_id=OuterRef("asset_id")
        ).values("code")[:1]
    )


def _columns(model: type[Model], expand: dict[str, list[Column]], skip: tuple = ()) -> list:
    """A column per public field; related records spread over the columns `expand` gives."""
    found = []
    for key in model.PUBLIC_FIELDS:
        if key in skip:
            continue
        if key in expand:
            found.extend(expand[key])
        else:
            found.append(Column(key, model._meta.get_field(key).verbose_name))
    return found


def _village_columns(path: Callable[[Model], object]) -> list[Column]:
    return [
        Column("village", _("village"), lambda o, on: path(o).name),
        Column("village_code", _("village division code"), lambda o, on: path(o).code),
    ]


def _asset_columns() -> list[Column]:
    return [
        Column("asset_code", _("electronic ID"), lambda o, on: o.asset_code),
        Column("asset", _("asset"), lambda o, on: o.asset.name),
        Column("asset_kind", _("asset kind"), lambda o, on: str(o.asset.get_kind_display())),
        *_village_columns(lambda o: o.asset.village),
    ]


def _point(o: Project, on: dt.date, axis: str) -> float | None:
    return round(getattr(o.point, axis), 7) if o.point else None


def project_records() -> QuerySet[Project]:
    return project_rows().annotate(point=PointOnSurface("location"))


def lease_records() -> QuerySet[Lease]:
    return (
        Lease.objects.select_related("asset__village")
        .defer("tenant_contact", "asset__geometry", "asset__village__boundary")
        .annotate(
            paid_total=Coalesce(Sum("payments__amount"), Value(Decimal("0"))),
            asset_code=_asset_code(),
        )
        .order_by("asset__village__code", "asset_id", "start_on", "pk")
    )


def auction_records() -> QuerySet[Auction]:
    return (
        Auction.objects.select_related("asset__village")
        .defer("asset__geometry", "asset__village__boundary")
        .annotate(bid_count=Count("bids"), asset_code=_asset_code())
        .order_by("asset__village__code", "held_on", "pk")
    )


def _projects() -> Table:
    columns = [
        Column("id", _("record number"), lambda o, on: o.pk),
        Column("oc4ids_id", _("OC4IDS project identifier"), lambda o, on: project_id(o)),
        *_columns(
            Project,
            {
                "village": [
                    *_village_columns(lambda o: o.village),
                    Column(
                        "township",
                        _("township"),
                        lambda o, on: o.village.parent.name if o.village.parent else None,
                    ),
                ]
            },
            skip=("location",),
        ),
        Column("longitude", _("longitude"), lambda o, on: _point(o, on, "x")),
        Column("latitude", _("latitude"), lambda o, on: _point(o, on, "y")),
    ]
    return Table("projects", Project, project_records, tuple(columns))


def _leases() -> Table:
    columns = [
        Column("id", _("record number"), lambda o, on: o.pk),
        *_columns(
            Lease,
            {
                "asset": _asset_columns(),
                "tenant_public_name": [
                    Column("tenant_public_name", _("tenant"), lambda o, on: o.tenant_public_name)
                ],
            },
        ),
        Column("overlong", _("term longer than the rules allow"), lambda o, on: o.is_overlong),
        Column("favour_rent", _("rent far below the valuation"), lambda o, on: o.is_favour_rent),
        Column("due", _("rent due to date (yuan)"), lambda o, on: o.amount_due(on)),
        Column("paid", _("rent paid to date (yuan)"), lambda o, on: o.paid_total),
        Column("arrears", _("arrears (yuan)"), lambda o, on: o.arrears(on, o.paid_total)),
    ]
    return Table("leases", Lease, lease_records, tuple(columns))


def _auctions() -> Table:
    columns = [
        Column("id", _("record number"), lambda o, on: o.pk),
        *_columns(Auction, {"asset": _asset_columns()}),
        Column("bids", _("number of bids"), lambda o, on: o.bid_count),
    ]
    return Table("auctions", Auction, auction_records, tuple(columns))


TABLES = {"projects": _projects(), "leases": _leases(), "auctions": _auctions()}
