from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base of every domain model. The change itself is recorded in the Event log, not here.

    `PUBLIC_FIELDS` names the fields anyone may see (scan pages, public API, the event log);
    every other field is restricted to staff of the record's units.
    """

    PUBLIC_FIELDS: tuple[str, ...] = ()

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def village_id_for_scope(self) -> int | None:
        """The admin unit that scopes who may edit this record."""
        return getattr(self, "village_id", None)
