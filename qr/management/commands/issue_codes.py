from django.core.management.base import BaseCommand, CommandError

from qr import services
from registry.models import AdminUnit


class Command(BaseCommand):
    help = "Issue electronic IDs to every record of a unit (and the units below it) that has none."

    def add_arguments(self, parser):
        parser.add_argument("--village", required=True, help="division code of the unit")
        parser.add_argument("--kind", action="append", choices=services.KINDS)

    def handle(self, *args, **options):
        unit = AdminUnit.objects.filter(code=options["village"]).first()
        if unit is None:
            raise CommandError(f"No admin unit has the division code {options['village']}.")
        issued = services.issue_codes(unit, actor=None, kinds=options["kind"] or services.KINDS)
        self.stdout.write(f"{len(issued)} electronic IDs issued for {unit.name}.")
        for eid in issued[:20]:
            self.stdout.write(f"  {eid.code}")
        if len(issued) > 20:
            self.stdout.write(f"  … and {len(issued) - 20} more")
