"""W08: works under way that nobody has seen move (工程停滞), the red flag KRAI31 of the DOZORRO /
Kyrgyz set ("contract execution delayed"): a project at the construction stage with no stage
change, inspection or progress report for `stalled_days` days is yellow; `red_times` times as
long ("three times late") is red.

The last movement is the latest of:
- the day construction started (the project's last stage change, as recorded);
- the latest field-app inspection of the project (`Inspection.inspected_at`);
- the latest progress report from the site (the phone's time, unless its clock is doubted, then
  when the server received it: `PhoneTimed.when`);
- the latest entry of the public log that changed the progress percentage (`Event.at`: progress
  changed in the office or from the site; the entry that created the record lists every field
  and is not a change).
A stage change counts by the date recorded for it rather than by its log entry: a change entered
late (an import, the demo, an office catching up) is logged on the day it was entered, not the
day the works moved. Days are counted in the local calendar (Asia/Shanghai).

It replaces the field app's old "stalled" list, which called every project under construction
without a field progress report stalled, however recently it moved.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, Max, Q, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from fieldapp.models import Inspection, ProgressReport
from projects.models import Project, Stage
from trail.models import Event

PHONE_TIME = Case(
    When(Q(made_at__isnull=False, clock_note=""), then=F("made_at")), default=F("created")
)


def _latest(queryset, project_ids, field) -> dict[int, dt.date]:
    """{project id: local date of the latest `field`} over the projects' rows (one query)."""
    rows = (
        queryset.filter(
            subject_type=ContentType.objects.get_for_model(Project), subject_id__in=project_ids
        )
        .order_by()
        .values("subject_id")
        .annotate(last=Max(field))
        .values_list("subject_id", "last")
    )
    return {subject_id: timezone.localdate(last) for subject_id, last in rows}


@register
class StalledProject(Rule):
    code = "W08"
    name = _("Stalled works")
    description = _(
        "A project under construction with no stage change, site inspection or progress report "
        "for a long time."
    )
    message = _(
        "Nothing has moved for %(days)s days: the last was %(what)s on %(since)s "
        "(progress %(percent)s%%)."
    )
    params = {
        "stalled_days": Param(30, _("yellow after this many days without movement"), minimum=1),
        "red_times": Param(3, _("red after this many times as long"), minimum=1),
    }
    reads = ("projects.project", "fieldapp.inspection", "fieldapp.progressreport")
    date_driven = True
    case_category = "quality"

    def find(self, ctx: Context):
        projects = Project.objects.filter(stage=Stage.CONSTRUCTION).only(
            "pk", "name", "village_id", "construction_started_on", "created", "progress_percent"
        )
        if ctx.villages is not None:
            projects = projects.filter(village_id__in=ctx.villages)
        ids = projects.values("pk")
        movements = (
            (gettext("a site inspection"), _latest(Inspection.objects, ids, "inspected_at")),
            (gettext("a progress report"), _latest(ProgressReport.objects, ids, PHONE_TIME)),
            (
                gettext("a change of progress"),
                _latest(
                    Event.objects.filter(changes__has_key="progress_percent").exclude(
                        action=Event.Action.CREATE
                    ),
                    ids,
                    "at",
                ),
            ),
        )
        yellow = ctx["stalled_days"]
        red = yellow * ctx["red_times"]
        for project in projects:
            if project.construction_started_on:
                last = (project.construction_started_on, gettext("the start of construction"))
            else:
                last = (timezone.localdate(project.created), gettext("the record's creation"))
            for what, dates in movements:
                day = dates.get(project.pk)
                if day is not None and day > last[0]:
                    last = (day, what)
            days = (ctx.today - last[0]).days
            if days < yellow:
                continue
            yield Finding(
                key=f"project:{project.pk}",
                unit_id=project.village_id,
                level=Level.RED if days >= red else Level.YELLOW,
                subject=project,
                numbers={
                    "days": days,
                    "since": last[0].isoformat(),
                    "what": last[1],
                    "percent": project.progress_percent,
                },
                evidence=[
                    Evidence(
                        project,
                        gettext("Under construction; last movement: %(what)s, %(since)s.")
                        % {"what": last[1], "since": last[0].isoformat()},
                    )
                ],
            )
