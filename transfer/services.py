"""Importing assets into the record, and the background jobs that do it for the web pages.

Every row goes through `registry.services` with the person as actor, so an import refuses
exactly what the admin and the API refuse, and every asset it creates or changes is in the
public log. A dry run is the same code with each row rolled back, so its report is what an
import would do.
"""

import datetime as dt
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, cached_property
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry import background, services
from registry.models import AdminUnit, Asset
from registry.roles import Task
from registry.scoping import may
from registry.text import fold
from transfer import importers
from transfer.models import ImportJob

logger = logging.getLogger(__name__)

INLINE_BYTES = 64 * 1024  # a file whose rows cannot be counted (it may be broken) but is small
PROGRESS_SECONDS = 0.5
SAMPLE_POINTS = 1000
LISTED_ROWS = 20
CHOICES = {
    "kind": Asset.Kind,
    "land_use": Asset.LandUse,
    "building_use": Asset.BuildingUse,
    "status": Asset.Status,
}
# Words clerks use besides the labels of the choices (which are accepted in English and Chinese).
SYNONYMS = {
    "kind": {"房屋": "building", "建筑": "building", "建筑物": "building", "土地": "parcel"},
    "land_use": {"水田": "farmland", "旱地": "farmland", "山林": "forest", "水域": "water"},
    "building_use": {"店面": "shop", "办公": "office", "礼堂": "hall", "文化礼堂": "hall"},
    "status": {"在用": "in_use", "自用": "in_use", "出租": "leased", "空置": "idle"},
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
NUMBER_NOISE = re.compile(r"[,，\s¥￥元]|m²|㎡|平方米")


def inline_rows() -> int:
    return settings.IMPORT_INLINE_ROWS


# ---------------------------------------------------------------------------------------------
# Values as clerks type them -> values the model understands
# ---------------------------------------------------------------------------------------------


def _normal(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


@cache
def _choice_lookup(name: str) -> dict[str, str]:
    choices = CHOICES[name]
    lookup = {_normal(value): value for value in choices.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            lookup |= {_normal(label): value for value, label in choices.choices}
    lookup |= {_normal(word): value for word, value in SYNONYMS.get(name, {}).items()}
    return lookup


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _choice(name: str, value: object) -> str:
    """The code for a code or a label; anything else as typed, for the model to refuse."""
    text = _text(value)
    return _choice_lookup(name).get(_normal(text), text)


def _decimal(value: object) -> object:
    """Amounts to the cent; what is not a number is passed on for the model to refuse."""
    if isinstance(value, bool):
        return value
    try:
        if isinstance(value, int | float | Decimal):
            number = Decimal(str(value))
        else:
            number = Decimal(NUMBER_NOISE.sub("", fold(str(value))))
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    return number.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _date(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 10_000 < value < 80_000:
        # A date typed into Excel without a date format arrives as its serial day number.
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = fold(str(value)).split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return value


def _field_label(name: str) -> str:
    try:
        return capfirst(Asset._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def reasons(error: ValidationError) -> list[str]:
    """A row's errors as sentences, each led by the field it is about."""
    found = []
    for name, errors in error.update_error_dict({}).items():
        label = "" if name == NON_FIELD_ERRORS else _field_label(name)
        for item in errors:
            for message in item.messages:
                text = f"{label}: {message}" if label else message
                if item.code == "invalid_choice" and name in CHOICES:
                    accepted = ", ".join(str(label) for label in CHOICES[name].labels)
                    text += " " + _("Accepted: %(values)s.") % {"values": accepted}
                found.append(text)
    return found


def _merge(error: ValidationError | None, problems: dict[str, list[str]]) -> ValidationError:
    """The model's errors, with ours in place of its for the same field.

    Ours say why a value could not be read ("the WKT cannot be read"), where the model could
    only say that it is missing.
    """
    combined = error.update_error_dict({}) if error else {}
    for name, messages in problems.items():
        combined[name] = [ValidationError(m) for m in messages]
    return ValidationError(combined)


def row_label(row: importers.Row) -> str:
    return f"{row.layer} {row.number}" if row.layer else str(row.number)


class AssetRows:
    """Turns the rows of one file into creates and updates of one village's assets."""

    def __init__(self, village: AdminUnit, *, actor: User | None, default_kind: str) -> None:
        self.village = village
        self.actor = actor
        self.default_kind = default_kind
        self.cooperatives = list(village.cooperatives.order_by("name"))
        self.seen: dict[str, str] = {}
        # One query for the whole file instead of one a row: most rows are new assets.
        self.by_external_id: dict[str, list[int]] = {}
        pairs = village.assets.exclude(external_id="").values_list("external_id", "pk")
        for external_id, pk in pairs:
            self.by_external_id.setdefault(external_id, []).append(pk)

    def save(self, row: importers.Row) -> str:
        """'created', 'updated' or 'unchanged'; raises ValidationError with every reason."""
        fields, problems = self._fields(row)
        existing = self._existing(row, fields.get("external_id", ""), problems)
        try:
            outcome = self._create(fields) if existing is None else self._update(existing, fields)
        except ValidationError as exc:
            raise _merge(exc, problems) from None
        except PermissionDenied as exc:
            raise _merge(ValidationError(str(exc)), problems) from None
        if problems:
            raise _merge(None, problems)
        return outcome

    def _fields(self, row: importers.Row) -> tuple[dict, dict[str, list[str]]]:
        values = row.values
        fields: dict[str, object] = {}
        problems: dict[str, list[str]] = {}
        for name in ("name", "description", "external_id"):
            if name in values:
                fields[name] = _text(values[name])
        for name in CHOICES:
            if name in values:
                fields[name] = _choice(name, values[name])
        if "use" in values:
            fields.update(self._use(values["use"], fields.get("kind") or self.default_kind))
        for name in ("floor_area_m2", "book_value"):
            if name in values:
                fields[name] = _decimal(values[name])
        if "acquired_on" in values:
            fields["acquired_on"] = _date(values["acquired_on"])
        if "owner" in values:
            wanted = _normal(_text(values["owner"]))
            fields["owner"] = next(
                (c for c in self.cooperatives if _normal(c.name) == wanted), None
            )
            if fields["owner"] is None:
                problems["owner"] = [
                    _("%(village)s has no economic cooperative named “%(name)s”.")
                    % {"village": self.village.name, "name": _text(values["owner"])}
                ]
        if row.geometry is None:
            problems["geometry"] = [row.problem or _("The row has no geometry.")]
        else:
            fields["geometry"] = row.geometry
            if row.problem:
                problems[NON_FIELD_ERRORS] = [row.problem]
        return fields, problems

    def _existing(self, row: importers.Row, external_id: str, problems: dict) -> Asset | None:
        """The asset this row updates: same village, same external id."""
        if not external_id:
            return None
        if external_id in self.seen:
            problems["external_id"] = [
                _("The external id “%(id)s” is also on row %(row)s.")
                % {"id": external_id, "row": self.seen[external_id]}
            ]
            return None
        self.seen[external_id] = row_label(row)
        matches = self.by_external_id.get(external_id, [])
        if len(matches) > 1:
            problems["external_id"] = [
                _("Several assets of %(village)s have the external id “%(id)s”.")
                % {"village": self.village.name, "id": external_id}
            ]
            return None
        return (
            Asset.objects.select_related("village", "owner").get(pk=matches[0]) if matches else None
        )

    @staticmethod
    def _use(value: object, kind: str) -> dict:
        """A 用途 column: a parcel's land use (耕地, 林地), a building's use (店面, 仓库); for a
        row of no stated kind, whichever of the two recognises the value."""
        land, building = _choice("land_use", value), _choice("building_use", value)
        if kind == Asset.Kind.PARCEL:
            return {"land_use": land}
        if kind in (Asset.Kind.BUILDING, Asset.Kind.FACILITY):
            return {"building_use": building}
        if land in Asset.LandUse.values:
            return {"land_use": land}
        return {"building_use": building}

    def _create(self, fields: dict) -> str:
        defaults = {
            "kind": self.default_kind,
            "owner": self.cooperatives[0] if self.cooperatives else None,
            "geometry": None,
        }
        services.create_asset(actor=self.actor, village=self.village, **(defaults | fields))
        return "created"

    def _update(self, asset: Asset, fields: dict) -> str:
        before = services.snapshot(asset)
        services.update_asset(asset, actor=self.actor, **fields)
        return "unchanged" if services.snapshot(asset) == before else "updated"


# ---------------------------------------------------------------------------------------------
# One import run
# ---------------------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run did with each row; stored as JSON on the job and shown on its page."""

    file: str
    village: AdminUnit
    apply: bool
    format: str = ""
    layers: list[dict] = field(default_factory=list)
    total: int = 0
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: str = ""
    applied: bool = False
    rolled_back: str = ""
    database_errors: int = 0
    new_rejections: int = 0
    points: list[Point] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def accept(self, row: importers.Row, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if row.geometry is None or self.boundary is None:
            return
        point = row.geometry if row.geometry.geom_type == "Point" else row.geometry.point_on_surface
        if len(self.points) < SAMPLE_POINTS:
            self.points.append(point)
        if not self.boundary.contains(point):
            self.outside.append(row_label(row))

    @cached_property
    def boundary(self) -> PreparedGeometry | None:
        return self.village.boundary.prepared if self.village.boundary else None

    def reject(self, row: importers.Row, why: list[str]) -> None:
        self.new_rejections += 1
        self.rejected.append(
            {
                "key": row.key,
                "layer": row.layer,
                "row": row.number,
                "name": _text(row.values.get("name", "")),
                "external_id": _text(row.values.get("external_id", "")),
                "reasons": why,
            }
        )

    def skip(self, checked: dict) -> None:
        self.rejected.append(checked | {"skipped": True})

    def finish(self) -> None:
        if importers.looks_like_gcj02(self.points, self.village.boundary):
            self.warnings.append(
                _(
                    "Most rows lie a few hundred metres south-east of %(village)s but fall inside "
                    "it when shifted back from GCJ-02: the coordinates were probably copied from "
                    "AMap/Gaode or Tencent maps (GCJ-02), not measured in WGS84. Convert them "
                    "before importing."
                )
                % {"village": self.village.name}
            )
        elif self.outside:
            listed = ", ".join(self.outside[:LISTED_ROWS]) + (
                " …" if len(self.outside) > LISTED_ROWS else ""
            )
            self.warnings.append(
                ngettext(
                    "%(n)s row lies outside the boundary of %(village)s (row %(rows)s). "
                    "Is it the right village?",
                    "%(n)s rows lie outside the boundary of %(village)s (rows %(rows)s). "
                    "Is it the right village?",
                    len(self.outside),
                )
                % {"n": len(self.outside), "village": self.village.name, "rows": listed}
            )

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "village": {"code": self.village.code, "name": self.village.name},
            "action": "apply" if self.apply else "check",
            "layers": self.layers,
            "total": self.total,
            "read": self.read,
            "accepted": self.created + self.updated + self.unchanged,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": sum(1 for r in self.rejected if r.get("skipped")),
            "warnings": self.warnings,
            "refused": self.refused,
            "applied": self.applied,
            "rolled_back": self.rolled_back,
        }


Progress = Callable[[int, int], None]


def import_file(
    path: Path,
    *,
    filename: str,
    village: AdminUnit,
    actor: User | None,
    default_kind: str = "",
    srid: int | None = None,
    apply: bool = False,
    skip_rejected: bool = False,
    known_rejects: dict[str, dict] | None = None,
    progress: Progress | None = None,
    columns: dict[str, str] | None = None,
) -> dict:
    """Check (or, with `apply`, import) every row of a file into `village`; return the report.

    An import is one transaction. It is rolled back when a row is rejected (unless
    `skip_rejected`), when the database refuses a row, or when a row the dry run accepted is
    rejected now. `known_rejects` are the rows the dry run refused: they are skipped, as the
    person confirming the import was told.
    """
    report = Report(file=filename, village=village, apply=apply)
    try:
        report.format = importers.FORMAT_LABELS[importers.file_format(filename)]
        _check_village(village, actor)
        boundary = village.boundary
        context = importers.Context(
            village_lon=boundary.centroid.x if boundary else None,
            srid=srid,
            columns=columns or {},
        )
        with importers.open_source(path, filename=filename, context=context) as source:
            report.format = source.label
            report.layers = [layer.as_dict() for layer in source.layers]
            report.total = source.total
            report.warnings += source.warnings
            report.warnings += [layer.crs.note for layer in source.layers if layer.crs.note]
            ignored = sorted({c for layer in source.layers for c in layer.ignored})
            if ignored:
                report.warnings.append(
                    _("These columns are not imported: %(columns)s.")
                    % {"columns": ", ".join(ignored)}
                )
            rows = AssetRows(village, actor=actor, default_kind=default_kind)
            if apply:
                with transaction.atomic():
                    _run(source, rows, report, apply=True, known=known_rejects, progress=progress)
                    report.rolled_back = _why_roll_back(report, skip_rejected, known_rejects)
                    if report.rolled_back:
                        transaction.set_rollback(True)
                report.applied = not report.rolled_back
            else:
                _run(source, rows, report, apply=False, known=None, progress=progress)
        report.finish()
    except importers.ImportRefused as exc:
        report.refused = str(exc)
    return report.as_dict()


def _check_village(village: AdminUnit, actor: User | None) -> None:
    if village.level != AdminUnit.Level.VILLAGE:
        raise importers.ImportRefused(_("Assets are imported into a village, not a township."))
    if not may(actor, Task.IMPORT_ASSETS, village):
        raise importers.ImportRefused(
            _("You can only import into villages of your own admin units.")
        )
    if not village.cooperatives.exists():
        raise importers.ImportRefused(
            _("%(village)s has no economic cooperative to own the assets; add it first.")
            % {"village": village.name}
        )


def _run(
    source: importers.Source,
    rows: AssetRows,
    report: Report,
    *,
    apply: bool,
    known: dict[str, dict] | None,
    progress: Progress | None,
) -> None:
    """Each row in its own savepoint (apply) or its own rolled-back transaction (dry run)."""
    last = 0.0
    row = None
    try:
        for row in source.rows():
            report.read += 1
            if known and row.key in known:
                report.skip(known[row.key])
                continue
            try:
                with transaction.atomic():
                    outcome = rows.save(row)
                    if not apply:
                        transaction.set_rollback(True)
            except ValidationError as exc:
                report.reject(row, reasons(exc))
            except DatabaseError as exc:
                report.database_errors += 1
                report.reject(row, [_("The database refused the row: %(error)s") % {"error": exc}])
            else:
                report.accept(row, outcome)
            if progress and time.monotonic() - last > PROGRESS_SECONDS:
                progress(report.read, report.total)
                last = time.monotonic()
    except importers.READ_ERRORS as exc:
        logger.warning(
            "Import of %s stopped after %s rows", report.file, report.read, exc_info=True
        )
        raise importers.ImportRefused(
            _("The file could not be read after row %(row)s; it may be damaged.")
            % {"row": row_label(row) if row else 0}
        ) from exc


def _why_roll_back(report: Report, skip_rejected: bool, known: dict | None) -> str:
    if report.database_errors:
        return _("The database refused a row, so nothing was saved.")
    if report.new_rejections and known is not None:
        return _(
            "A row the check accepted was rejected on import (the record has changed since), "
            "so nothing was saved. Check the file again."
        )
    if report.new_rejections and not skip_rejected:
        return ngettext(
            "%(n)s row was rejected, so nothing was saved: an import is all or nothing.",
            "%(n)s rows were rejected, so nothing was saved: an import is all or nothing.",
            report.new_rejections,
        ) % {"n": report.new_rejections}
    return ""


# ---------------------------------------------------------------------------------------------
# Jobs for the web pages
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_import_job(
    upload: UploadedFile,
    *,
    village: AdminUnit,
    actor: User | None,
    default_kind: str = "",
    srid: int | None = None,
) -> ImportJob:
    """Keep the upload with what it is for; nothing is read yet."""
    job = ImportJob(
        requested_by=actor,
        village=village,
        default_kind=default_kind,
        srid=srid,
        language=translation.get_language() or "",
        file_name=Path(upload.name).name[-255:],
    )
    job.file.save(job.file_name, upload, save=False)
    job.save()
    return job


def check_import(job: ImportJob) -> ImportJob:
    """Small files are checked now, within the request; larger ones by a background job."""
    path = Path(job.file.path)
    rows = importers.count_rows(path, filename=job.file_name)
    small = rows < inline_rows() if rows is not None else path.stat().st_size < INLINE_BYTES
    if small:
        return run_import_job(job)
    job.total = rows or 0
    job.save(update_fields=["total", "updated"])
    background.enqueue_after_commit("transfer.services.import_job_task", str(job.pk))
    return job


def choose_columns(job: ImportJob, columns: dict[str, str]) -> ImportJob:
    """Check a file again, reading its columns as the person chose after the dry run (column
    name -> field, "" to leave a column out), without uploading it again.

    Raises ValidationError for a job that is no finished dry run, a column the file does not
    have, a field there is no such, or one field chosen for two columns."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_remap:
            raise ValidationError(_("Only a finished check can be run again with other columns."))
        known = {c for layer in job.report.get("layers", []) for c in _layer_columns(layer)}
        unknown = sorted(set(columns) - known)
        if unknown:
            raise ValidationError(
                _("The file has no column “%(column)s”.") % {"column": unknown[0][:60]}
            )
        bad = sorted(v for v in columns.values() if v and v not in importers.FIELD_ALIASES)
        if bad:
            raise ValidationError(_("There is no field “%(field)s”.") % {"field": bad[0][:60]})
        chosen = [v for v in columns.values() if v]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_("Each field can come from one column only."))
        job.columns = columns
        job.status, job.done, job.report = ImportJob.Status.QUEUED, 0, {}
        job.save(update_fields=["columns", "status", "done", "report", "updated"])
    return check_import(job)


def _layer_columns(layer: dict) -> list[str]:
    return [*layer.get("columns", {}), *layer.get("ignored", [])]


@transaction.atomic
def apply_import(job: ImportJob) -> ImportJob:
    """Queue the import of a checked file; it runs in the background once this commits."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not job.can_apply:
        raise ValidationError(
            _("This file has been imported already, or its check found nothing to import.")
        )
    job.action, job.status, job.done = ImportJob.Action.APPLY, ImportJob.Status.QUEUED, 0
    job.save(update_fields=["action", "status", "done", "updated"])
    background.enqueue_after_commit("transfer.services.import_job_task", str(job.pk))
    return job


class JobProgress:
    """Writes a job's progress where its page can see it.

    An import runs in one long transaction, whose writes nobody sees until it commits, so on
    PostgreSQL its progress goes through a second connection. SQLite allows one writer at a
    time: there an import shows its progress only at the end.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.side = None

    def __call__(self, done: int, total: int) -> None:
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(done=done, total=total)
            return
        if connection.vendor != "postgresql":
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.side.ops.quote_name(ImportJob._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608 - our table
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_job_task(job_id: str) -> None:
    """The queue's task: run import job `job_id`, unless it is done or has failed."""
    job = background.claim(ImportJob, job_id)
    if job is not None:
        run_import_job(job)


def run_import_job(job: ImportJob) -> ImportJob:
    """Run a queued check or import, saving progress as it goes and the report at the end."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, done=0
    )
    if not claimed:
        raise ValidationError(_("This job is not waiting to run."))
    job.refresh_from_db()
    known = None
    if job.action == ImportJob.Action.APPLY:
        known = {r["key"]: r for r in job.report.get("rejected", [])}
    progress = JobProgress(job)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            report = import_file(
                Path(job.file.path),
                filename=job.file_name,
                village=job.village,
                actor=job.requested_by,
                default_kind=job.default_kind,
                srid=job.srid,
                apply=job.action == ImportJob.Action.APPLY,
                known_rejects=known,
                progress=progress,
                columns=job.columns,
            )
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=str(exc) or type(exc).__name__
        )
        raise
    finally:
        progress.close()
    job.report = report
    job.status = ImportJob.Status.DONE
    job.total, job.done = report["total"], report["read"]
    if report["applied"]:
        job.file.delete(save=False)
    job.save()
    return job
