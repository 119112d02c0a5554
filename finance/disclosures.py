"""The monthly disclosure of party, village and financial affairs (三务公开): a village's month
built from the record, published once and frozen, corrected only by a published amendment.

The content is data, not text: numbers, codes, dates and public names, with every amount a
string ("1234.50") so the snapshot and its SHA-256 are exact. Pages and the poster put labels
on it in the reader's language. Every line a villager may question has a stable `key`
("income:rent", "expenditure:works", "payments:<request pk>", "leases:<pk>" ...).

Apps above finance add sections of their own (alerts: open warnings) through
`register_section`, since finance may not import them.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import MonthlyDisclosure, PaymentRequest, Receipt
from leasing.models import Auction, Lease, LeasePayment
from projects.models import Project, Stage
from registry import services as registry_services
from registry.models import AdminUnit
from registry.privacy import scrub
from registry.roles import Task
from registry.scoping import ensure_may
from supervision.models import Case, Category, State
from trail.models import Event

SCHEMA = 1
REASON_MAX = 500
QUESTION_DAYS = 10  # calendar days after publication in which a villager may question a line
ZERO = Decimal("0.00")
RENT = "rent"

SectionBuilder = Callable[[AdminUnit, dt.date], object]


@dataclass(frozen=True)
class Section:
    """A part of the disclosure an app above finance supplies: `builder(village, month)` gives
    JSON-ready data (no floats, no text for people); `template` renders it on the page."""

    builder: SectionBuilder
    template: str = ""


_sections: dict[str, Section] = {}


def register_section(name: str, builder: SectionBuilder, *, template: str = "") -> None:
    """Add (or replace, by `name`) a section to every disclosure published from now on."""
    _sections[name] = Section(builder, template)


def section_template(name: str) -> str:
    section = _sections.get(name)
    return section.template if section else ""


# ---------------------------------------------------------------- months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    return (month_start(day) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date:
    """ "2026-10" as the first day of that month; ValidationError for anything else."""
    text = str(text or "").strip()
    try:
        if len(text) != 7 or text[4] != "-" or not 1900 <= int(text[:4]) <= 2999:
            raise ValueError
        return dt.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise ValidationError(
            {
                "month": _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.")
                % {"value": text[:20]}
            }
        ) from None


def _local_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as aware datetimes in the site's time zone, [start, end)."""
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(next_month(month), dt.time.min))


def money(value: Decimal | None) -> str | None:
    """An amount as the content stores it: "1234.50"."""
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.01")))


# ---------------------------------------------------------------- the content


def _income(village: AdminUnit, month: dt.date) -> dict:
    days = (month, month_end(month))
    rent = LeasePayment.objects.filter(lease__asset__village=village, paid_on__range=days)
    rent_sum = rent.aggregate(total=Sum("amount"), n=Count("pk"))
    by_category = {
        row["category"]: row
        for row in Receipt.objects.filter(village=village, banked_on__range=days)
        .order_by()
        .values("category")
        .annotate(total=Sum("amount"), n=Count("pk"))
    }
    lines = [
        {
            "key": f"income:{RENT}",
            "category": RENT,
            "amount": money(rent_sum["total"] or ZERO),
            "count": rent_sum["n"],
        }
    ]
    for category in Receipt.Category.values:
        row = by_category.get(category, {})
        lines.append(
            {
                "key": f"income:{category}",
                "category": category,
                "amount": money(row.get("total") or ZERO),
                "count": row.get("n", 0),
            }
        )
    total = sum((Decimal(line["amount"]) for line in lines), ZERO)
    return {"lines": lines, "total": money(total)}


def paid_in(village: AdminUnit, month: dt.date) -> QuerySet[PaymentRequest]:
    """The village's requests paid by bank transfer in the month."""
    return PaymentRequest.objects.filter(
        village=village,
        state=PaymentRequest.State.PAID,
        paid_on__range=(month, month_end(month)),
    )


def _expenditure(payments: list[PaymentRequest]) -> dict:
    totals: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for payment in payments:
        totals[payment.category] = totals.get(payment.category, ZERO) + payment.amount
        counts[payment.category] = counts.get(payment.category, 0) + 1
    lines = [
        {
            "key": f"expenditure:{category}",
            "category": category,
            "amount": money(totals.get(category, ZERO)),
            "count": counts.get(category, 0),
        }
        for category in PaymentRequest.Category.values
    ]
    return {"lines": lines, "total": money(sum(totals.values(), ZERO))}


def _payment_line(payment: PaymentRequest) -> dict:
    project = payment.project
    return {
        "key": f"payments:{payment.pk}",
        "id": payment.pk,
        "reference": payment.reference,
        "paid_on": payment.paid_on.isoformat(),
        "payee": payment.payee.public_name,
        "payee_kind": payment.payee.kind,
        "amount": money(payment.amount),
        "purpose": scrub(payment.purpose),
        "category": payment.category,
        "power_item": {"number": payment.power_item.number, "title": payment.power_item.title},
        "project": {"id": project.pk, "name": project.name} if project else None,
        "project_stage": payment.project_stage,
        "bank_reference": payment.bank_reference,
    }


def _projects(village: AdminUnit, month: dt.date, payments: list[PaymentRequest]) -> list[dict]:
    """The village's projects under way in the month: proposed by its end, not settled before
    it began."""
    end = month_end(month)
    paid_now: dict[int, Decimal] = {}
    for payment in payments:
        if payment.project_id:
            paid_now[payment.project_id] = paid_now.get(payment.project_id, ZERO) + payment.amount
    projects = (
        Project.objects.filter(village=village)
        .filter(Q(proposed_on__lte=end) | Q(proposed_on__isnull=True, created__date__lte=end))
        .filter(Q(settled_on__isnull=True) | Q(settled_on__gte=month))
        .only(
            "name",
            "stage",
            "contract_amount",
            "settlement_amount",
            "paid_amount",
            "progress_percent",
            "contractor",
        )
        .order_by("name", "pk")
    )
    return [
        {
            "key": f"projects:{project.pk}",
            "id": project.pk,
            "name": project.name,
            "stage": project.stage,
            "contractor": scrub(project.contractor),
            "contract_amount": money(project.contract_amount),
            "settlement_amount": money(project.settlement_amount),
            "paid_amount": money(project.paid_amount),
            "paid_in_month": money(paid_now.get(project.pk, ZERO)),
            "progress_percent": project.progress_percent,
        }
        for project in projects
    ]


def _leases(village: AdminUnit, month: dt.date) -> list[dict]:
    """Leases running in the month or paid in it: rent received in the month, and what was due,
    paid and in arrears by its last day (`Lease.amount_due`, `Lease.arrears`)."""
    end = month_end(month)
    in_month = Q(payments__paid_on__range=(month, end))
    paid_in_month = LeasePayment.objects.filter(paid_on__range=(month, end)).values("lease_id")
    leases = (
        Lease.objects.filter(asset__village=village)
        .filter(Q(start_on__lte=end, end_on__gt=month) | Q(pk__in=paid_in_month))
        .select_related("asset")
        .only(
            "tenant_name",
            "tenant_kind",
            "start_on",
            "end_on",
            "annual_rent",
            "payment_schedule",
            "asset__name",
            "asset__village_id",
        )
        .annotate(
            received=Sum("payments__amount", filter=in_month),
            paid_to_date=Sum("payments__amount", filter=Q(payments__paid_on__lte=end)),
        )
        .order_by("asset__name", "start_on", "pk")
    )
    lines = []
    for lease in leases:
        paid = lease.paid_to_date or ZERO
        lines.append(
            {
                "key": f"leases:{lease.pk}",
                "id": lease.pk,
                "asset": {"id": lease.asset_id, "name": lease.asset.name},
                "tenant": lease.tenant_public_name,
                "start_on": lease.start_on.isoformat(),
                "end_on": lease.end_on.isoformat(),
                "annual_rent": money(lease.annual_rent),
                "received": money(lease.received or ZERO),
                "paid_to_date": money(paid),
                "due_to_date": money(lease.amount_due(end)),
                "arrears": money(lease.arrears(end, paid)),
            }
        )
    return lines


def _auctions(village: AdminUnit, month: dt.date) -> list[dict]:
    """Auctions announced, held or decided in the month."""
    days = (month, month_end(month))
    auctions = (
        Auction.objects.filter(asset__village=village)
        .filter(
            Q(announced_on__range=days)
            | Q(held_on__range=days)
            | Q(result_published_on__range=days)
        )
        .select_related("asset")
        .only(
            "title",
            "status",
            "announced_on",
            "held_on",
            "reserve_price",
            "winning_amount",
            "winner_public_name",
            "asset__name",
        )
        .order_by("held_on", "pk")
    )
    return [
        {
            "key": f"auctions:{auction.pk}",
            "id": auction.pk,
            "title": auction.title,
            "asset": auction.asset.name,
            "status": auction.status,
            "announced_on": auction.announced_on.isoformat(),
            "held_on": auction.held_on.isoformat(),
            "reserve_price": money(auction.reserve_price),
            "winning_amount": money(auction.winning_amount),
            "winner": scrub(auction.winner_public_name),
        }
        for auction in auctions
    ]


def _case_line(case: Case) -> dict:
    """A case by its public reference only: never the text, the reporter or their identity."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "category": case.category.code,
        "state": case.state,
        "received_on": timezone.localdate(case.created).isoformat(),
        "closed_on": timezone.localdate(case.closed_at).isoformat() if case.closed_at else None,
    }


def _cases(village: AdminUnit, month: dt.date) -> dict:
    """Supervision cases of the village: how many are in each state among those received by
    the month's end, and the cases received or closed in the month."""
    start, end = _local_range(month)
    cases = Case.objects.filter(village=village, created__lt=end)
    counts = {
        row["state"]: row["n"] for row in cases.order_by().values("state").annotate(n=Count("pk"))
    }
    listed = list(
        cases.filter(Q(created__gte=start) | Q(closed_at__gte=start, closed_at__lt=end))
        .select_related("category")
        .only("created", "closed_at", "state", "category__code")
        .order_by("created", "pk")
    )
    return {
        "counts": dict(sorted(counts.items())),
        "received": [_case_line(c) for c in listed if c.created >= start],
        "closed": [_case_line(c) for c in listed if c.closed_at and start <= c.closed_at < end],
    }


def build_content(village: AdminUnit, month: dt.date) -> dict:
    """The village's month as the record holds it now: a pure read, JSON-ready, amounts as
    strings."""
    month = month_start(month)
    payments = list(
        paid_in(village, month)
        .select_related("payee", "power_item", "project")
        .order_by("paid_on", "number", "version", "pk")
    )
    income = _income(village, month)
    expenditure = _expenditure(payments)
    township = village.parent
    return {
        "schema": SCHEMA,
        "village": {
            "code": village.code,
            "name": village.name,
            "township": township.name if township else "",
        },
        "month": f"{month:%Y-%m}",
        "period": {"from": month.isoformat(), "to": month_end(month).isoformat()},
        "income": income,
        "expenditure": expenditure,
        "balance": money(Decimal(income["total"]) - Decimal(expenditure["total"])),
        "payments": [_payment_line(p) for p in payments],
        "projects": _projects(village, month, payments),
        "leases": _leases(village, month),
        "auctions": _auctions(village, month),
        "cases": _cases(village, month),
        "sections": {name: s.builder(village, month) for name, s in sorted(_sections.items())},
    }


def canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict) -> str:
    """SHA-256 of the content's canonical JSON: what the public log and the page show."""
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def income_label(category: str) -> str:
    if category == RENT:
        return str(_("Rent from leases"))
    return (
        str(Receipt.Category(category).label) if category in Receipt.Category.values else category
    )


def expenditure_label(category: str) -> str:
    if category in PaymentRequest.Category.values:
        return str(PaymentRequest.Category(category).label)
    return category


def yuan(amount: str | None) -> str:
    """A stored amount grouped by thousands for people: "1234.5" → "1,234.50"."""
    return "" if amount is None else f"{Decimal(amount):,.2f}"


def lines_of(content: dict) -> dict[str, str]:
    """Every line of a content a villager may question: key → how it is named, in the active
    language."""
    labels = {}
    for part, name, label in (
        ("income", _("Income"), income_label),
        ("expenditure", _("Expenditure"), expenditure_label),
    ):
        for line in content.get(part, {}).get("lines", []):
            labels[line["key"]] = f"{name} · {label(line['category'])}"
    for line in content.get("payments", []):
        labels[line["key"]] = _("Payment %(reference)s · %(payee)s · %(amount)s yuan") % {
            "reference": line["reference"],
            "payee": line["payee"],
            "amount": yuan(line["amount"]),
        }
    for line in content.get("projects", []):
        labels[line["key"]] = _("Project · %(name)s") % {"name": line["name"]}
    for line in content.get("leases", []):
        labels[line["key"]] = _("Lease · %(asset)s · %(tenant)s") % {
            "asset": line["asset"]["name"],
            "tenant": line["tenant"],
        }
    for line in content.get("auctions", []):
        labels[line["key"]] = _("Auction · %(title)s") % {"title": line["title"]}
    return labels


# ---------------------------------------------------------------- publishing


def _check_month(village: AdminUnit, month: dt.date) -> None:
    if village.level != AdminUnit.Level.VILLAGE:
        raise ValidationError(
            {
                "village": _("%(name)s is not a village; disclosures are per village.")
                % {"name": village.name}
            }
        )
    if month.day != 1:
        raise ValidationError({"month": _("A month is given by its first day.")})
    if month >= month_start(timezone.localdate()):
        raise ValidationError(
            {
                "month": _(
                    "%(month)s is not over yet: a month is disclosed once it has ended, on the "
                    "first working day of the next."
                )
                % {"month": f"{month:%Y-%m}"}
            }
        )


def _publish(
    village: AdminUnit,
    month: dt.date,
    *,
    number: int,
    actor: User | None,
    reason: str = "",
    amends: MonthlyDisclosure | None = None,
    content: dict | None = None,
) -> MonthlyDisclosure:
    content = build_content(village, month) if content is None else content
    disclosure = MonthlyDisclosure(
        village=village,
        month=month,
        number=number,
        amends=amends,
        reason=reason,
        content=content,
        sha256=content_hash(content),
        published_at=timezone.now(),
        published_by=actor,
    )
    ensure_may(actor, Task.PUBLISH_DISCLOSURES, disclosure)
    disclosure.full_clean()
    try:
        with transaction.atomic():
            disclosure.save()
    except IntegrityError:
        raise ValidationError(_published_already(village, month)) from None
    public, _restricted = registry_services.snapshot(disclosure)
    changes = {k: v for k, v in public.items() if v not in (None, "")}
    registry_services.log_event(
        disclosure, action=Event.Action.PUBLISH, changes=changes, actor=actor
    )
    return disclosure


def _published_already(village: AdminUnit, month: dt.date) -> str:
    return _(
        "The disclosure of %(village)s for %(month)s is published already; a published month "
        "is frozen. To correct it, publish an amendment with its reason."
    ) % {"village": village.name, "month": f"{month:%Y-%m}"}


def _lock(village: AdminUnit) -> None:
    """One publication of a village at a time."""
    AdminUnit.objects.select_for_update().filter(pk=village.pk).first()


@transaction.atomic
def publish_month(
    village: AdminUnit, month: dt.date, *, actor: User | None = None
) -> MonthlyDisclosure:
    """Publish the village's month, frozen from now on, and log its SHA-256 in the public log.
    A month is published once; ValidationError, with nothing written, if it is already."""
    ensure_may(actor, Task.PUBLISH_DISCLOSURES)
    _check_month(village, month)
    _lock(village)
    if MonthlyDisclosure.objects.filter(village=village, month=month).exists():
        raise ValidationError(_published_already(village, month))
    return _publish(village, month, number=0, actor=actor)


@transaction.atomic
def amend(disclosure: MonthlyDisclosure, *, actor: User | None, reason: str) -> MonthlyDisclosure:
    """Publish a correction of a published month: the next number, rebuilt from the record as
    it is now, with its reason, beside the original, which is never changed."""
    ensure_may(actor, Task.PUBLISH_DISCLOSURES, disclosure)
    reason = scrub(" ".join(str(reason or "").split()))
    if not reason:
        raise ValidationError({"reason": _("Say why the month is amended.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": _("The reason is %(n)s characters too long.")
                % {"n": len(reason) - REASON_MAX}
            }
        )
    village, month = disclosure.village, disclosure.month
    _lock(village)
    versions = MonthlyDisclosure.objects.filter(village=village, month=month)
    latest = versions.order_by("-number").first()
    original = versions.get(number=0)
    content = build_content(village, month)
    if content_hash(content) == latest.sha256:
        raise ValidationError(
            _(
                "The record for %(month)s has not changed since the version published on "
                "%(day)s: an amendment would say the same. Correct the record first."
            )
            % {
                "month": f"{month:%Y-%m}",
                "day": f"{timezone.localtime(latest.published_at):%Y-%m-%d}",
            }
        )
    return _publish(
        village,
        month,
        number=latest.number + 1,
        actor=actor,
        reason=reason,
        amends=original,
        content=content,
    )


# ---------------------------------------------------------------- reads


def versions_of(village: AdminUnit, month: dt.date) -> list[MonthlyDisclosure]:
    """The month's original and amendments, in order."""
    return list(MonthlyDisclosure.objects.filter(village=village, month=month).order_by("number"))


def month_summaries(village: AdminUnit) -> list[dict]:
    """A village's published months, newest first: the latest version's totals, how many
    amendments, when first published."""
    rows = (
        MonthlyDisclosure.objects.filter(village=village)
        .annotate(
            income_total=KT("content__income__total"),
            expenditure_total=KT("content__expenditure__total"),
        )
        .defer("content")
        .order_by("-month", "number")
    )
    months: dict[dt.date, dict] = {}
    for row in rows:
        entry = months.setdefault(row.month, {"month": row.month, "original": row})
        entry |= {
            "latest": row,
            "amendments": row.number,
            "income": yuan(row.income_total),
            "expenditure": yuan(row.expenditure_total),
        }
    return list(months.values())


def latest_months(villages: QuerySet[AdminUnit]) -> QuerySet[AdminUnit]:
    """`villages`, each with `latest_month`: the last month published (None before any)."""
    return villages.annotate(latest_month=Max("monthly_disclosures__month"))


def questions_close_on(disclosure: MonthlyDisclosure) -> dt.date:
    """The last day a line of `disclosure` may be questioned."""
    return timezone.localdate(disclosure.published_at) + dt.timedelta(days=QUESTION_DAYS)


def questions_open(disclosure: MonthlyDisclosure, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) <= questions_close_on(disclosure)


# ---------------------------------------------------------------- presenting


def _amounts(content: dict) -> dict[str, str]:
    """The amounts of a content by line key (and totals), to say what an amendment changed."""
    amounts = {
        "income": content["income"]["total"],
        "expenditure": content["expenditure"]["total"],
    }
    for part in ("income", "expenditure"):
        for line in content[part]["lines"]:
            amounts[line["key"]] = line["amount"]
    for line in content["payments"]:
        amounts[line["key"]] = line["amount"]
    for line in content["leases"]:
        amounts[line["key"]] = line["arrears"]
        amounts[f"{line['key']}:received"] = line["received"]
    for line in content["projects"]:
        amounts[f"{line['key']}:paid"] = line["paid_amount"]
    return amounts


def changes_between(before: dict, after: dict) -> list[dict]:
    """The amounts that differ from one version of a month to the next, named for people."""
    old, new = _amounts(before), _amounts(after)
    labels = lines_of(before) | lines_of(after)
    labels |= {"income": str(_("Total income")), "expenditure": str(_("Total expenditure"))}
    suffixes = {":received": _("rent received"), ":paid": _("paid so far")}
    arrears = _("arrears")
    changed = []
    for key in [*old, *(k for k in new if k not in old)]:
        if old.get(key) == new.get(key):
            continue
        base, suffix = key, ""
        for end, word in suffixes.items():
            if key.endswith(end):
                base, suffix = key.removesuffix(end), f" · {word}"
        if base.startswith("leases:") and not suffix:
            suffix = f" · {arrears}"
        changed.append(
            {
                "label": f"{labels.get(base, base)}{suffix}",
                "before": yuan(old.get(key)) or "—",
                "after": yuan(new.get(key)) or "—",
            }
        )
    return changed


def present(content: dict) -> dict:
    """The content with labels in the active language and amounts grouped by thousands, for
    the page and the poster. The stored content is left as it is."""

    def money_line(line: dict, label: str) -> dict:
        return line | {"label": label, "amount_shown": yuan(line["amount"])}

    income = content["income"]
    expenditure = content["expenditure"]
    cases = content["cases"]
    categories = {
        c.code: str(c)
        for c in supervision_categories(
            {c["category"] for part in ("received", "closed") for c in cases[part]}
        )
    }

    def case_line(case: dict) -> dict:
        return case | {
            "category_label": categories.get(case["category"], case["category"]),
            "state_label": _choice(State, case["state"]),
        }

    return {
        "income": [money_line(x, income_label(x["category"])) for x in income["lines"]],
        "income_total": yuan(income["total"]),
        "expenditure": [
            money_line(x, expenditure_label(x["category"])) for x in expenditure["lines"]
        ],
        "expenditure_total": yuan(expenditure["total"]),
        "balance": yuan(content["balance"]),
        "balance_negative": Decimal(content["balance"]) < 0,
        "payments": [
            line
            | {
                "amount_shown": yuan(line["amount"]),
                "category_label": expenditure_label(line["category"]),
                "stage_label": _choice(Stage, line["project_stage"]),
            }
            for line in content["payments"]
        ],
        "projects": [
            line
            | {
                "stage_label": _choice(Stage, line["stage"]),
                "contract_shown": yuan(line["contract_amount"]),
                "settlement_shown": yuan(line["settlement_amount"]),
                "paid_shown": yuan(line["paid_amount"]),
                "paid_in_month_shown": yuan(line["paid_in_month"]),
            }
            for line in content["projects"]
        ],
        "leases": [
            line
            | {
                "annual_rent_shown": yuan(line["annual_rent"]),
                "received_shown": yuan(line["received"]),
                "arrears_shown": yuan(line["arrears"]),
                "in_arrears": Decimal(line["arrears"]) > 0,
            }
            for line in content["leases"]
        ],
        "rent_total": yuan(
            str(sum((Decimal(line["received"]) for line in content["leases"]), ZERO))
        ),
        "arrears_total": yuan(
            str(sum((Decimal(line["arrears"]) for line in content["leases"]), ZERO))
        ),
        "auctions": [
            line
            | {
                "status_label": _choice(Auction.Status, line["status"]),
                "reserve_shown": yuan(line["reserve_price"]),
                "winning_shown": yuan(line["winning_amount"]),
            }
            for line in content["auctions"]
        ],
        "case_counts": [
            {"state": state, "label": _choice(State, state), "count": n}
            for state, n in cases["counts"].items()
        ],
        "cases_received": [case_line(c) for c in cases["received"]],
        "cases_closed": [case_line(c) for c in cases["closed"]],
        "sections": [
            {"name": name, "template": section_template(name), "data": data}
            for name, data in content.get("sections", {}).items()
        ],
    }


def _choice(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def supervision_categories(codes: set[str]) -> list[Category]:
    return list(Category.objects.filter(code__in=codes)) if codes else []
