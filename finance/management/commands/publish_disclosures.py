from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from finance import disclosures, tasks
from registry.models import AdminUnit
from registry.text import fold


class Command(BaseCommand):
    help = (
        "Publish the monthly disclosure (三务公开) of every village that has not published the "
        "month yet: publish_disclosures [--month 2026-10] [--village 330381102201]. The month "
        "is last month unless given; --village takes a village, township or city code."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--village", help="division code of a village, township or city")

    def handle(self, *args, **options):
        try:
            month = (
                disclosures.parse_month(options["month"])
                if options["month"]
                else disclosures.previous_month(timezone.localdate())
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        among = tasks.villages()
        if options["village"]:
            code = fold(options["village"])
            unit = AdminUnit.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(f"No admin unit has the division code {code}.")
            among = among.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))
        if month >= disclosures.month_start(timezone.localdate()):
            raise CommandError(
                f"{month:%Y-%m} is not over yet: a month is published once it has ended."
            )
        outcome = tasks.publish_missing(month, among=among)
        for disclosure in outcome.published:
            self.stdout.write(
                f"published {disclosure.village.code} {disclosure.village.name} "
                f"{month:%Y-%m} sha256 {disclosure.sha256}"
            )
        for village in outcome.skipped:
            self.stdout.write(f"skipped {village.code} {village.name}: published already")
        for village, reason in outcome.failed:
            self.stderr.write(f"FAILED {village.code} {village.name}: {reason}")
        self.stdout.write(
            f"{month:%Y-%m}: {len(outcome.published)} published, "
            f"{len(outcome.skipped)} already published, {len(outcome.failed)} failed."
        )
        if outcome.failed:
            raise CommandError(f"{len(outcome.failed)} villages were not published.")
