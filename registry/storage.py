"""Where files that must never be served directly live (procedure documents).

MEDIA_ROOT is served as it is (by Django under DEBUG, by the web server in production), so
anything that may carry personal data goes here instead and is read only through a view that
checks who asks.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read at each use so tests can point it elsewhere."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; use the staff document view.")


private_storage = PrivateStorage()
