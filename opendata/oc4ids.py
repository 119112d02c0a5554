"""The public projects as an OC4IDS 0.9 project package (Open Contracting for Infrastructure).

Only public fields are published; procedure documents are listed with their kind, title, date
and SHA-256 but without a link, because the files themselves are for staff. The package is
valid against the schema vendored in `opendata/schemas/oc4ids/`, which a test checks.

Codelist choices that are not obvious:

- status: the proposal and budget stages are identification and preparation; contracting and
  construction are implementation (OC4IDS counts procurement in it); once accepted the project is
  in completion, which covers close-out, so the settlement audit is too.
- procurementMethod: a simplified open tender is open; selection among invited firms (比选) and
  competitive negotiation are limited (the village chooses whom to ask); a direct award is direct.
- parties: the village is buyer, procuring entity and public authority; the contractor supplies;
  the agency that sets the budget guidance price reviews the procurement (reviewBody) and the
  settlement audit agency is the independent monitor.
"""

import datetime as dt
import hashlib
import json
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.models import Deliberation, Disclosure, Project, ProjectDocument, Stage
from registry.models import AdminUnit
from registry.privacy import scrub, scrub_all
from trail.models import Event

VERSION = "0.9"
# Not registered with the Open Contracting Partnership: ask its helpdesk for a prefix before the
# data is published anywhere else, and change only this line.
ID_PREFIX = "oc4ids-qinglian-"
PUBLISHER = "瑞安市清廉村社"
LANGUAGE = "zh-hans"
CURRENCY = "CNY"

STATUS = {
    Stage.PROPOSAL: "identification",
    Stage.BUDGET: "preparation",
    Stage.CONTRACTING: "implementation",
    Stage.CONSTRUCTION: "implementation",
    Stage.ACCEPTANCE: "completion",
    Stage.SETTLEMENT: "completion",
}
TYPE = {
    Project.Category.ROAD: "construction",
    Project.Category.WATER: "construction",
    Project.Category.SEWAGE: "construction",
    Project.Category.BUILDING: "rehabilitation",
    Project.Category.LANDSCAPE: "construction",
    Project.Category.CULTURE: "construction",
}
SECTOR = {
    Project.Category.ROAD: ["transport", "transport.road"],
    Project.Category.WATER: ["waterAndWaste"],
    Project.Category.SEWAGE: ["waterAndWaste"],
    Project.Category.BUILDING: ["governance"],
    Project.Category.LANDSCAPE: ["cultureSportsAndRecreation"],
    Project.Category.CULTURE: ["cultureSportsAndRecreation"],
}
PROCUREMENT_METHOD = {
    Project.Method.SIMPLE_TENDER: "open",
    Project.Method.COMPARISON: "limited",
    Project.Method.NEGOTIATION: "limited",
    Project.Method.DIRECT: "direct",
}
DOCUMENT_TYPE = {
    ProjectDocument.Kind.MINUTES: "minutes",
    ProjectDocument.Kind.CONTRACT: "contractSigned",
    ProjectDocument.Kind.ACCEPTANCE: "completionCertificate",
    ProjectDocument.Kind.AUDIT: "financialAuditReport",
}
MILESTONE_TYPE = {
    Deliberation.Step.SUGGESTION: "engagement",
    Deliberation.Step.PROPOSAL: "preProcurement",
    Deliberation.Step.JOINT: "assessment",
    Deliberation.Step.PARTY: "approval",
    Deliberation.Step.RESOLUTION: "approval",
}


def project_rows() -> QuerySet[Project]:
    """Projects with their village, township and city, without restricted text or boundaries."""
    return (
        Project.objects.select_related("village__parent__parent")
        .defer(
            "location",
            "contractor_contact",
            "village__boundary",
            "village__parent__boundary",
            "village__parent__parent__boundary",
        )
        .order_by("village__code", "pk")
    )


def public_projects() -> QuerySet[Project]:
    """Every project, with what the package needs in a fixed number of queries."""
    return (
        project_rows()
        .annotate(geojson=AsGeoJSON("location", precision=7))
        .prefetch_related("documents", "deliberations", "disclosures")
    )


def project_id(project: Project) -> str:
    return f"{ID_PREFIX}{project.village.code}-{project.pk}"


def package(projects: Iterable[Project], *, published: dt.datetime | None) -> dict:
    """The project package; `published` is the time of the latest event, so it is stable."""
    with translation.override(LANGUAGE):
        return {
            "uri": absolute(reverse("open_data:oc4ids-projects")),
            "publishedDate": _datetime(published or timezone.now()),
            "publisher": {"name": PUBLISHER, "uri": absolute("/")},
            "publicationPolicy": absolute(reverse("open_data:index")),
            "version": VERSION,
            "projects": [scrub_all(project_record(p)) for p in projects],
        }


def latest_event_time() -> dt.datetime | None:
    return Event.objects.order_by("-seq").values_list("at", flat=True).first()


def package_json() -> bytes:
    data = package(public_projects(), published=latest_event_time())
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def project_record(project: Project) -> dict:
    stage = Stage(project.stage)
    village = _party_ref(_village_party(project.village))
    record = {
        "id": project_id(project),
        "updated": _datetime(project.updated),
        "language": "zh",
        "title": project.name,
        "status": _status(project),
        "publicAuthority": village,
        "locations": [_location(project)],
        "parties": _parties(project),
        "metrics": _metrics(project),
    }
    if project.description:
        record["description"] = scrub(project.description)
    if project.category in TYPE:
        record["type"] = TYPE[project.category]
    if project.category in SECTOR:
        record["sector"] = SECTOR[project.category]
    if project.budget_price is not None:
        record["budget"] = {"amount": _value(project.budget_price)}
        if project.budget_priced_on:
            record["budget"]["approvalDate"] = _date(project.budget_priced_on)
    record |= _periods(project)
    if stage.index >= Stage.CONTRACTING.index:
        record["contractingProcesses"] = [_contracting_process(project, village)]
    if stage.index >= Stage.ACCEPTANCE.index and project.acceptance_passed is not False:
        record["completion"] = _completion(project)
    milestones = _milestones(project)
    if milestones:
        record["milestones"] = milestones
    documents = [_document(d) for d in project.documents.all()]
    if documents:
        record["documents"] = documents
    return record


def _status(project: Project) -> str:
    if project.stage == Stage.ACCEPTANCE and project.acceptance_passed is False:
        return "implementation"
    return STATUS[Stage(project.stage)]


def _value(amount: Decimal) -> dict:
    return {"amount": float(amount), "currency": CURRENCY}


def _datetime(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _date(day: dt.date) -> str:
    """A calendar date as the start of that day in China (OC4IDS dates are date-times)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).isoformat()


def _period(start: dt.date | None, end: dt.date | None) -> dict:
    period = {}
    if start:
        period["startDate"] = _date(start)
    if end:
        period["endDate"] = _date(end)
    return period


def _periods(project: Project) -> dict:
    """The project's period and the OC4IDS phase periods, from the dates each stage began."""
    end = project.settled_on or project.accepted_on
    found = {"period": _period(project.proposed_on, end)}
    phases = {
        "identificationPeriod": (project.proposed_on, project.budget_priced_on),
        "preparationPeriod": (project.budget_priced_on, project.contracted_on),
        "implementationPeriod": (project.contracted_on, project.accepted_on),
        "completionPeriod": (project.accepted_on, project.settled_on),
    }
    for key, (start, finish) in phases.items():
        if start:
            found[key] = _period(start, finish)
    return {key: value for key, value in found.items() if value}


def _location(project: Project) -> dict:
    village: AdminUnit = project.village
    township = village.parent
    city = township.parent if township else None
    places = [u.name for u in (city, township, village) if u is not None]
    address = {"streetAddress": village.name, "countryName": "中国"}
    if township:
        address["locality"] = township.name
    if city:
        address["region"] = city.name
    return {
        "id": "1",
        "description": f"{' '.join(places)}（{village.code}）",
        "geometry": json.loads(project.geojson),
        "address": address,
    }


def _village_party(village: AdminUnit) -> dict:
    return {
        "id": f"village-{village.code}",
        "name": village.name,
        "roles": ["buyer", "procuringEntity", "publicAuthority"],
        "address": {"streetAddress": village.name, "countryName": "中国"},
    }


def _organisation(name: str, role: str) -> dict:
    """An organisation known only by name: its id is a hash of the name, stable everywhere."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return {"id": f"org-{digest}", "name": name, "roles": [role]}


def _parties(project: Project) -> list[dict]:
    parties = [_village_party(project.village)]
    named = [
        (project.contractor, "supplier"),
        (project.guidance_agency, "reviewBody"),
        (project.audit_agency, "independentMonitor"),
    ]
    by_name: dict[str, dict] = {}
    for name, role in named:
        name = name.strip()
        if not name:
            continue
        if name in by_name:
            by_name[name]["roles"].append(role)
        else:
            by_name[name] = _organisation(name, role)
            parties.append(by_name[name])
    return parties


def _party_ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _contracting_process(project: Project, village: dict) -> dict:
    settled = project.stage == Stage.SETTLEMENT and project.settlement_amount is not None
    contracted = bool(project.contractor) or project.contract_amount is not None
    tender: dict = {"procuringEntity": village}
    summary: dict = {
        "title": project.name,
        "nature": ["construction"],
        "status": "closed" if settled else "active" if contracted else "pre-award",
        "tender": tender,
    }
    if project.contracting_method:
        tender["procurementMethod"] = PROCUREMENT_METHOD[project.contracting_method]
        tender["procurementMethodDetails"] = str(project.get_contracting_method_display())
    if project.budget_price is not None:
        tender["costEstimate"] = _value(project.budget_price)
    if project.contractor:
        summary["suppliers"] = [_party_ref(_organisation(project.contractor.strip(), "supplier"))]
    if project.contract_amount is not None:
        summary["contractValue"] = _value(project.contract_amount)
    contract_period = _period(
        project.contract_signed_on, project.accepted_on if project.acceptance_passed else None
    )
    if contract_period:
        summary["contractPeriod"] = contract_period
    if settled:
        summary["finalValue"] = _value(project.settlement_amount)
    if project.over_guidance_reason:
        summary["description"] = scrub(project.over_guidance_reason)
    return {"id": f"{project_id(project)}-1", "summary": summary}


def _completion(project: Project) -> dict:
    completion: dict = {}
    if project.accepted_on:
        completion["endDate"] = _date(project.accepted_on)
    if project.stage == Stage.SETTLEMENT and project.settlement_amount is not None:
        completion["finalValue"] = _value(project.settlement_amount)
        if project.audit_agency:
            completion["finalValueDetails"] = _("Audited settlement by %(agency)s") % {
                "agency": project.audit_agency
            }
    return completion


def _metrics(project: Project) -> list[dict]:
    """Progress as the two OC4IDS metrics: physical (percent done) and financial (paid)."""
    physical = {
        "id": "physicalProgress",
        "title": _("Physical progress"),
        "observations": [
            {
                "id": "1",
                "measure": project.progress_percent,
                "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
                "period": {"endDate": _datetime(project.updated)},
            }
        ],
    }
    paid = {
        "id": "1",
        "value": _value(project.paid_amount),
        "period": {"endDate": _datetime(project.updated)},
        "notes": _("Amount paid so far"),
    }
    financial = {
        "id": "financialProgress",
        "title": _("Financial progress"),
        "observations": [paid],
    }
    base = project.settlement_amount or project.contract_amount
    if base:
        financial["observations"].append(
            {
                "id": "2",
                "measure": round(float(project.paid_amount / base * 100), 1),
                "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
                "period": {"endDate": _datetime(project.updated)},
                "notes": _("Share of the contract or audited settlement paid"),
            }
        )
    return [physical, financial]


def _milestones(project: Project) -> list[dict]:
    """The five deliberations and two disclosures (五议两公开) as met or unmet milestones."""
    found = []
    for d in project.deliberations.all():
        parts = []
        if d.present is not None and d.entitled:
            parts.append(
                _("%(present)s of %(entitled)s present")
                % {"present": d.present, "entitled": d.entitled}
            )
        if d.is_vote and d.votes_for is not None:
            parts.append(
                _("for %(for)s, against %(against)s, abstaining %(abstain)s")
                % {
                    "for": d.votes_for,
                    "against": d.votes_against or 0,
                    "abstain": d.votes_abstain or 0,
                }
            )
        if d.public_summary:
            parts.append(d.public_summary)
        milestone = {
            "id": f"deliberation-{d.step}",
            "title": str(d.get_step_display()),
            "type": MILESTONE_TYPE[d.step],
            "status": "met" if d.passed else "notMet",
            "dateModified": _date(d.held_on),
        }
        if d.passed:
            milestone["dateMet"] = _date(d.held_on)
        if d.step == Deliberation.Step.RESOLUTION:
            milestone["code"] = "projectApproval"
        if parts:
            milestone["description"] = "；".join(parts)
        found.append(milestone)
    disclosure: Disclosure
    for disclosure in project.disclosures.all():
        milestone = {
            "id": f"disclosure-{disclosure.kind}",
            "title": str(disclosure.get_kind_display()),
            "type": "engagement",
            "status": "met",
            "dateMet": _date(disclosure.published_on),
            "dateModified": _date(disclosure.published_on),
            "description": disclosure.place,
        }
        if disclosure.until:
            milestone["description"] += "，" + _("on display until %(day)s") % {
                "day": disclosure.until.isoformat()
            }
        found.append(milestone)
    return found


def _document(document: ProjectDocument) -> dict:
    record = {
        "id": f"document-{document.pk}",
        "title": document.title,
        "description": f"SHA-256 {document.sha256}",
        "datePublished": _date(document.issued_on),
        "language": "zh",
        "accessDetails": _(
            "Kept by the village for its staff (it may carry personal data); a copy can be "
            "checked against the SHA-256 above."
        ),
    }
    if document.content_type:
        record["format"] = document.content_type
    if document.kind in DOCUMENT_TYPE:
        record["documentType"] = DOCUMENT_TYPE[document.kind]
    return record
