"""`manage.py import_assets`: check or import a file of assets into one village."""

from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.models import AdminUnit, Asset
from transfer import services as transfer_services
from transfer.models import ImportJob


def report_lines(report: dict) -> list[str]:
    """The report as plain lines for a terminal; the web page shows the same dictionary."""
    lines = [f"{report['file']} ({report['format'] or '?'}) → {report['village']['name']}"]
    if report["refused"]:
        return [*lines, f"Refused: {report['refused']}"]
    for layer in report["layers"]:
        name = f"{layer['name']}: " if layer["name"] else ""
        lines.append(f"{name}{layer['rows']} rows, {layer['crs']}")
    lines += [f"Warning: {warning}" for warning in report["warnings"]]
    for row in report["rejected"]:
        where = f"{row['layer']} row {row['row']}" if row["layer"] else f"Row {row['row']}"
        label = f" ({row['name']})" if row["name"] else ""
        skipped = " [skipped]" if row.get("skipped") else ""
        lines.append(f"{where}{label}{skipped}: " + "; ".join(row["reasons"]))
    lines.append(
        f"{report['read']} rows read: {report['created']} new, {report['updated']} changed, "
        f"{report['unchanged']} unchanged, {len(report['rejected'])} rejected."
    )
    if report["rolled_back"]:
        lines.append(report["rolled_back"])
    elif report["action"] == "check":
        lines.append("Dry run: nothing was saved. Add --apply to import.")
    else:
        lines.append("Imported; every change is in the public log.")
    return lines


class Command(BaseCommand):
    help = (
        "Check (dry run) or import assets from a GeoPackage, zipped Shapefile, GeoJSON, CSV or "
        "XLSX file: import_assets FILE --village 330381102201 [--kind building] [--apply]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the file to import")
        parser.add_argument("--village", help="division code of the village the assets belong to")
        parser.add_argument(
            "--kind", choices=Asset.Kind.values, default="", help="kind of rows that do not say"
        )
        parser.add_argument("--srid", type=int, help="EPSG code, when the file's CRS is wrong")
        parser.add_argument("--apply", action="store_true", help="import (default: dry run)")
        parser.add_argument(
            "--skip-rejected",
            action="store_true",
            help="with --apply: import the valid rows even if others are refused",
        )
        parser.add_argument("--user", help="username to record as the actor (default: system)")
        parser.add_argument("--job", help="run a queued import job (used by the web pages)")

    def handle(self, *args, **options) -> None:
        if options["job"]:
            self._run_job(options["job"])
            return
        if not options["file"] or not options["village"]:
            raise CommandError("Give FILE and --village <division code> (or --job).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        village = AdminUnit.objects.filter(code=options["village"]).first()
        if village is None:
            raise CommandError(f"No admin unit has the division code {options['village']}.")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']}.")
        report = transfer_services.import_file(
            path,
            filename=path.name,
            village=village,
            actor=actor,
            default_kind=options["kind"],
            srid=options["srid"],
            apply=options["apply"],
            skip_rejected=options["skip_rejected"],
        )
        self.stdout.write("\n".join(report_lines(report)))
        if report["refused"]:
            raise CommandError("The file was refused; nothing was saved.")
        if report["rolled_back"]:
            raise CommandError(
                "Nothing was saved. Fix the rejected rows, or add --skip-rejected to import the "
                "others."
            )

    def _run_job(self, pk: str) -> None:
        try:
            job = ImportJob.objects.filter(pk=pk).first()
        except ValidationError as exc:
            raise CommandError(f"{pk} is not a job id.") from exc
        if job is None:
            raise CommandError(f"No import job {pk}.")
        try:
            job = transfer_services.run_import_job(job)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write("\n".join(report_lines(job.report)))
