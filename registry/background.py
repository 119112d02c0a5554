"""Long work (plaque sheets, imports) runs as its own `manage.py` process, never in a request."""

import subprocess
import sys

from django.conf import settings
from django.db import transaction


def run_command_after_commit(*args: str) -> None:
    """Start `manage.py <args>` detached once the current transaction commits, so the process
    sees the job row it was asked to work on."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]
    transaction.on_commit(
        lambda: subprocess.Popen(  # noqa: S603 - our own command, arguments we made
            command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    )
