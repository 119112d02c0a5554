import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qr import selectors, services
from qr.models import PlaqueJob
from qr.plaques import LAYOUTS, UnprintableText, build_sheets
from registry.models import AdminUnit


class Command(BaseCommand):
    help = (
        "Print plaque sheets (A4 PDF with cut marks) for a unit's electronic IDs: "
        "plaques --village 330381102201 --kind building --layout 4 -o sheets.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("--village", help="division code of a village, township or city")
        parser.add_argument(
            "--kind", action="append", choices=services.KINDS, help="only these kinds (repeatable)"
        )
        parser.add_argument("--layout", type=int, choices=sorted(LAYOUTS), default=4)
        parser.add_argument("-o", "--output", help="the PDF file to write")
        parser.add_argument("--job", help="build a queued sheet job (used by the admin)")

    def handle(self, *args, **options):
        if options["job"]:
            job = PlaqueJob.objects.filter(pk=options["job"]).first()
            if job is None:
                raise CommandError(f"No plaque job {options['job']}.")
            services.run_plaque_job(job)
            self.stdout.write(f"Job {job.pk}: {job.total} plaques in {job.file.name}")
            return
        if not options["village"] or not options["output"]:
            raise CommandError("Give --village <division code> and -o <file.pdf> (or --job).")
        unit = AdminUnit.objects.filter(code=options["village"]).first()
        if unit is None:
            raise CommandError(f"No admin unit has the division code {options['village']}.")
        items = selectors.plaque_items(selectors.codes_in(unit, options["kind"]))
        if not items:
            raise CommandError(
                f"{unit.name} has no electronic IDs of these kinds: run issue_codes first."
            )
        total = len(items)

        def progress(done: int) -> None:
            if done % 50 == 0 or done == total:
                sys.stderr.write(f"\r{done}/{total} plaques")
                sys.stderr.flush()

        output = Path(options["output"])
        try:
            with output.open("wb") as out:
                count = build_sheets(items, out, layout=options["layout"], progress=progress)
        except UnprintableText as exc:
            output.unlink(missing_ok=True)  # no sheet with a gap in a name
            raise CommandError(str(exc)) from exc
        sys.stderr.write("\n")
        self.stdout.write(f"{count} plaques of {unit.name} written to {output}")
