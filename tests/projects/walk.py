"""A fresh project walked through the procedure with complete records, for tests."""

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.loader import demo_pdf
from projects import procedure
from projects import services as project_services
from projects.models import Deliberation, Disclosure, Project, Stage
from registry.models import AdminUnit

D = dt.date
DAYS = {
    "proposed": D(2026, 3, 1),
    "budget": D(2026, 3, 12),
    "contracting": D(2026, 3, 20),
    "signed": D(2026, 3, 22),
    "construction": D(2026, 4, 1),
    "inspected": D(2026, 4, 20),
    "acceptance": D(2026, 6, 1),
    "settlement": D(2026, 7, 1),
}
VOTES = {
    "proposal": {"entitled": 7, "present": 7},
    "joint": {"entitled": 12, "present": 11},
    "party": {
        "entitled": 60,
        "present": 50,
        "votes_for": 45,
        "votes_against": 3,
        "votes_abstain": 2,
    },
    "resolution": {
        "entitled": 45,
        "present": 40,
        "votes_for": 36,
        "votes_against": 2,
        "votes_abstain": 2,
    },
}


def pdf(label: str = "doc") -> SimpleUploadedFile:
    data = demo_pdf("test document", label, uuid.uuid4().hex)
    return SimpleUploadedFile(f"{label}.pdf", data, content_type="application/pdf")


def new_project(village: AdminUnit | None = None, **fields) -> Project:
    village = village or AdminUnit.objects.get(name="东岙村")
    return project_services.create_project(
        actor=None,
        **{
            "name": "测试道路工程",
            "village": village,
            "location": Point(120.52, 27.90, srid=4326),
            "category": Project.Category.ROAD,
            "proposed_on": DAYS["proposed"],
        }
        | fields,
    )


def deliberate(project: Project, actor=None, steps: int = 5) -> None:
    for i, step in enumerate(list(Deliberation.Step)[:steps]):
        procedure.record_deliberation(
            project,
            actor=actor,
            step=step,
            held_on=DAYS["proposed"] + dt.timedelta(days=i + 1),
            summary="会议记录",
            **VOTES.get(step, {}),
        )


def complete_stage(project: Project, actor=None) -> Project:
    """Every record the project's current stage needs."""
    stage = Stage(project.stage)
    if stage == Stage.PROPOSAL:
        deliberate(project, actor)
        procedure.record_disclosure(
            project,
            actor=actor,
            kind=Disclosure.Kind.RESOLUTION,
            published_on=D(2026, 3, 7),
            place="村务公开栏",
        )
    elif stage == Stage.BUDGET:
        procedure.set_guidance_price(
            project, actor=actor, budget_price=Decimal("150000"), guidance_agency="某造价咨询公司"
        )
        procedure.attach_document(
            project,
            actor=actor,
            kind="guidance",
            title="指导价",
            issued_on=DAYS["budget"],
            upload=pdf(),
        )
    elif stage == Stage.CONTRACTING:
        procedure.record_contract(
            project,
            actor=actor,
            contracting_method="comparison",
            contractor="瑞安市测试建设有限公司",
            contract_amount=Decimal("140000"),
            contract_signed_on=DAYS["signed"],
        )
        procedure.attach_document(
            project,
            actor=actor,
            kind="contract",
            title="合同",
            issued_on=DAYS["signed"],
            upload=pdf(),
        )
    elif stage == Stage.CONSTRUCTION:
        from fieldapp.receivers import inspect_demo_projects

        inspect_demo_projects(None, projects=[(project, DAYS["inspected"])])
        project_services.update_project(project, actor=None, progress_percent=100)
    elif stage == Stage.ACCEPTANCE:
        procedure.record_acceptance(project, actor=actor, passed=True, opinion="合格")
        procedure.attach_document(
            project,
            actor=actor,
            kind="acceptance",
            title="验收记录",
            issued_on=DAYS["acceptance"],
            upload=pdf(),
        )
    elif stage == Stage.SETTLEMENT:
        procedure.record_settlement(
            project, actor=actor, settlement_amount=Decimal("141000"), audit_agency="某审计所"
        )
        procedure.attach_document(
            project,
            actor=actor,
            kind="audit",
            title="审计报告",
            issued_on=DAYS["settlement"],
            upload=pdf(),
        )
        procedure.record_disclosure(
            project, actor=actor, kind="result", published_on=D(2026, 7, 5), place="村务公开栏"
        )
    return Project.objects.get(pk=project.pk)


def walk_to(project: Project, stage: str, actor=None) -> Project:
    """Complete each stage and open the next, until `stage` is reached (its records not made)."""
    while project.stage != stage:
        project = complete_stage(project, actor)
        following = procedure.next_stage(project)
        project = procedure.advance(project, actor=actor, to=following, on=DAYS[following])
    return project
