"""Reads of the procedure for the public project page and the staff screens."""

from django.contrib.auth.models import User
from django.db.models import QuerySet, prefetch_related_objects
from django.urls import reverse

from projects import procedure
from projects.models import Deliberation, Project, Stage
from registry import selectors as registry_selectors
from registry.models import AdminUnit
from registry.scoping import in_scope


def projects_for(user: User) -> QuerySet[Project]:
    """The projects of the user's units, in the order of the procedure list."""
    projects = Project.objects.select_related("village__parent").defer(
        "village__boundary", "village__parent__boundary"
    )
    return in_scope(user, projects, "village").order_by("village__code", "name", "pk")


def procedure_records(project: Project) -> dict:
    """What the procedure has on record, public parts only, grouped for the timeline."""
    prefetch_related_objects([project], "deliberations", "disclosures", "documents")
    missing = procedure.missing_for(project)
    deliberations = sorted(
        project.deliberations.all(), key=lambda d: list(Deliberation.Step).index(d.step)
    )
    documents = sorted(project.documents.all(), key=lambda d: (d.issued_on, d.pk))
    disclosures = sorted(project.disclosures.all(), key=lambda d: d.published_on)
    timeline = procedure.timeline(project, missing)
    by_stage = {view.stage: view for view in timeline}
    for view in timeline:
        view.documents = [d for d in documents if d.stage == view.stage]
        view.disclosures = []
    by_stage[Stage.PROPOSAL].deliberations = deliberations
    for disclosure in disclosures:
        stage = Stage.PROPOSAL if disclosure.kind == "resolution" else Stage.SETTLEMENT
        by_stage[stage].disclosures.append(disclosure)
    return {
        "timeline": timeline,
        "missing": missing,
        "complete": procedure.is_complete(project, missing),
        "next_stage": procedure.next_stage(project),
        "inspections": procedure.inspection_count(project),
        "flags": project.flags(),
        "documents": documents,
    }


def procedure_context(project: Project) -> dict:
    """The staff view: the public record plus whether each stored file is still there with its
    size (reading every file to hash it is left to the check button and verify_documents)."""
    records = procedure_records(project)
    for document in records["documents"]:
        document.present = document.file_is_present()
    return records | {"project": project}


def projects_in(unit: AdminUnit) -> QuerySet[Project]:
    qs = Project.objects.select_related("village")
    if unit.level == AdminUnit.Level.VILLAGE:
        return qs.filter(village=unit)
    if unit.level == AdminUnit.Level.TOWNSHIP:
        return qs.filter(village__parent=unit)
    return qs


def project_features(qs: QuerySet[Project]) -> dict:
    return registry_selectors.features(
        qs.defer("location", "description"),
        "location",
        6,
        lambda p: {
            "name": p.name,
            "stage": p.stage,
            "label": f"{p.get_stage_display()} · {p.progress_percent}%",
            "url": reverse("portal:project-detail", args=[p.pk]),
        },
    )


def project_record(pk: int) -> Project:
    return (
        Project.objects.select_related("village__parent")
        .defer("village__boundary", "village__parent__boundary")
        .get(pk=pk)
    )
