import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from demo import loader as demo
from registry.signals import demo_loaded


class Command(BaseCommand):
    help = (
        "Load the Rui'an demo data set (places, assets, leases, projects, sites, routes) through "
        "the services, so every record has its event. Does nothing if it is already loaded, "
        "except resetting the demo logins (only when DEBUG is on)."
    )

    def handle(self, *args, **options) -> None:
        if demo.is_loaded():
            self.stdout.write("Demo data already loaded.")
        else:
            started = time.perf_counter()
            with transaction.atomic():
                demo.load_demo()
            elapsed = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Rui'an demo data loaded in {elapsed:.1f} s."))
            for label, value in demo.summary().items():
                self.stdout.write(f"  {label:<22} {value}")
            for _receiver, result in demo_loaded.send(sender=self.__class__):
                if result:
                    self.stdout.write(str(result))
        self.ensure_users()

    def ensure_users(self) -> None:
        if not settings.DEBUG:
            self.stdout.write(self.style.WARNING("DEBUG is off: the demo logins were not created."))
            return
        with transaction.atomic():
            logins = demo.ensure_demo_users(settings.DEMO_PASSWORD)
        self.stdout.write("Demo logins (staff, /admin/):")
        self.stdout.write(f"  {'username':<12} {'role':<20} password")
        for username, role in logins:
            self.stdout.write(f"  {username:<12} {role:<20} {settings.DEMO_PASSWORD}")
