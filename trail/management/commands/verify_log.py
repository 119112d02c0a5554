from django.core.management.base import BaseCommand, CommandError

from trail.chain import BrokenChain, verify_rows
from trail.models import Event


class Command(BaseCommand):
    help = (
        "Re-walk the public event log's hash chain: print the head, or name the first broken row."
    )

    def handle(self, *args, **options):
        events = Event.objects.select_related("subject_type").order_by("seq").iterator(2000)
        try:
            head, count = verify_rows(event.as_chain_row() for event in events)
        except BrokenChain as exc:
            raise CommandError(f"Broken chain at event {exc.seq}: {exc.reason}.") from exc
        self.stdout.write(f"OK: {count} events, head {head}")
