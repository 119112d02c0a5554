"""Every write to village money: payees, payment requests and their chain, vouchers, the bank
payment, receipts. Each function validates, saves and appends to the public log in one
transaction, and raises ValidationError (naming the field) or PermissionDenied with the reason;
nothing is half-written.

The life of a request (`PaymentRequest.State`):

    draft ──submit──▶ pending ──approve (each step of its chain)──▶ approved ──pay──▶ paid
      │                 │ └──refuse (reason)──▶ refused ──revise──▶ new version (draft)
      └──withdraw──▶ withdrawn ◀──withdraw──┘          approved ──revise──▶ superseded + new
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance import chains, money
from finance.models import ApprovalStep, Payee, PaymentRequest, Receipt, Voucher
from projects.models import Project
from registry import services as registry_services
from registry.documents import check_document
from registry.models import AdminUnit
from registry.privacy import scrub
from registry.roles import ROLE_LABELS, Task
from registry.scoping import ensure_may, group_names
from trail.models import Event

State = PaymentRequest.State
REASON_MAX = 500
# The fields a draft's author may change; the rest is the system's.
DRAFT_FIELDS = (
    "payee",
    "amount",
    "purpose",
    "category",
    "power_item",
    "project",
    "project_stage",
    "lease",
)


# ---------------------------------------------------------------- payees


@transaction.atomic
def save_payee(payee: Payee, *, actor: User | None) -> Payee:
    """Create or change a payee. A bank account is required (payments are by transfer only);
    a company's or cooperative's credit code and a person's ID number are checked when given."""
    ensure_may(actor, Task.KEEP_BOOKS, payee)
    payee.name = " ".join(str(payee.name or "").split())
    if not payee.name:
        raise ValidationError({"name": _("Give the payee's name.")})
    payee.account_number = money.parse_account_number(payee.account_number)
    payee.credit_code = money.parse_credit_code(payee.credit_code)
    payee.id_number = money.parse_id_number(payee.id_number)
    if payee.kind == Payee.Kind.PERSON and payee.credit_code:
        raise ValidationError({"credit_code": _("A person has no unified social credit code.")})
    if payee.kind != Payee.Kind.PERSON and payee.id_number:
        raise ValidationError({"id_number": _("Only a person has an ID-card number.")})
    if payee.kind != Payee.Kind.PERSON and not payee.credit_code:
        raise ValidationError(
            {
                "credit_code": _(
                    "Give the unified social credit code of the company or cooperative (on its "
                    "business licence)."
                )
            }
        )
    payee.account_name = " ".join(str(payee.account_name or "").split()) or payee.name
    if not str(payee.bank_name or "").strip():
        raise ValidationError({"bank_name": _("Say which bank the account is with.")})
    duplicate = Payee.objects.filter(
        village_id=payee.village_id, account_number=payee.account_number
    ).exclude(pk=payee.pk)
    if duplicate.exists():
        raise ValidationError(
            {
                "account_number": _("This account is already a payee of the village: %(name)s.")
                % {"name": duplicate.first().public_name}
            }
        )
    return registry_services.save_record(payee, actor=actor, task=Task.KEEP_BOOKS)


# ---------------------------------------------------------------- requests: drafting


def _locked(request: PaymentRequest) -> PaymentRequest:
    return PaymentRequest.objects.select_for_update().get(pk=request.pk)


def _write(
    request: PaymentRequest,
    *,
    actor: User | None,
    action: str,
    before: dict | None,
    extra: dict | None = None,
) -> PaymentRequest:
    """Save the request and log what changed in its public fields, plus `extra`."""
    request.full_clean()
    request.save()
    after, _restricted = registry_services.snapshot(request)
    if before is None:
        changes = {k: v for k, v in after.items() if v not in (None, "", [])}
    else:
        changes = registry_services.diff(before, after)
    changes.update(extra or {})
    registry_services.log_event(request, action=action, changes=changes, actor=actor)
    return request


def _check_links(request: PaymentRequest) -> None:
    """The payee, project and lease belong to the request's village."""
    if request.payee_id and request.payee.village_id != request.village_id:
        raise ValidationError({"payee": _("The payee is not one of this village's payees.")})
    if request.project_id and request.project.village_id != request.village_id:
        raise ValidationError({"project": _("The project belongs to another village.")})
    if request.lease_id and request.lease.asset.village_id != request.village_id:
        raise ValidationError({"lease": _("The lease belongs to another village.")})
    if request.project_id and request.lease_id:
        raise ValidationError(
            {"lease": _("A request pays for one record: a project or a lease, not both.")}
        )
    if request.project_stage and not request.project_id:
        raise ValidationError({"project_stage": _("Choose the project the stage belongs to.")})
    request.purpose = " ".join(str(request.purpose or "").split())
    if not request.purpose:
        raise ValidationError({"purpose": _("Say what the money is for.")})


NUMBER_PREFIX = "YK"  # 用款: told apart from case numbers (2026-00015) at a glance


def format_number(year: int, serial: int) -> str:
    """A request's number as people quote it: YK2026-0012."""
    return f"{NUMBER_PREFIX}{year}-{serial:04d}"


def last_serial(village: AdminUnit, year: int) -> int:
    """The highest serial of the village's request numbers of `year` (0 when none)."""
    used = (
        PaymentRequest.objects.filter(village=village, number__startswith=f"{NUMBER_PREFIX}{year}-")
        .values_list("number", flat=True)
        .distinct()
    )
    return max((int(n.rsplit("-", 1)[1]) for n in used), default=0)


def _next_number(village: AdminUnit, year: int) -> str:
    AdminUnit.objects.select_for_update().filter(pk=village.pk).first()
    return format_number(year, last_serial(village, year) + 1)


@transaction.atomic
def draft_request(
    *, actor: User | None, village: AdminUnit, client_uuid: uuid.UUID | None = None, **fields
) -> tuple[PaymentRequest, bool]:
    """A new draft (the bookkeeper's 报账单). `fields` are `DRAFT_FIELDS`; the amount may be
    text. A resent form (same `client_uuid`) gets the draft it made, not a second one.
    Returns (request, created)."""
    if client_uuid is not None:
        existing = PaymentRequest.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            ensure_may(actor, Task.KEEP_BOOKS, existing)
            return existing, False
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    request = PaymentRequest(village=village, drafted_by=actor, **fields)
    if client_uuid is not None:
        request.client_uuid = client_uuid
    ensure_may(actor, Task.KEEP_BOOKS, request)
    request.amount = money.parse_amount(request.amount)
    _check_links(request)
    request.number = _next_number(village, timezone.localdate().year)
    return _write(request, actor=actor, action=Event.Action.CREATE, before=None), True


def locked_reason(request: PaymentRequest) -> str:
    """Why a request that is no draft cannot be changed, and what to do instead."""
    if request.state == State.PAID:
        return _(
            "Request %(ref)s is paid and final; money paid in error comes back as a receipt."
        ) % {"ref": request.reference}
    if request.state in (State.APPROVED, State.REFUSED):
        return _("Request %(ref)s is %(state)s and locked; a correction is a new version.") % {
            "ref": request.reference,
            "state": request.get_state_display(),
        }
    if request.state == State.PENDING:
        return _(
            "Request %(ref)s is %(state)s and locked while its approvers decide; withdraw it to "
            "change it."
        ) % {"ref": request.reference, "state": request.get_state_display()}
    return _("Request %(ref)s is %(state)s and can no longer be changed.") % {
        "ref": request.reference,
        "state": request.get_state_display(),
    }


@transaction.atomic
def update_draft(request: PaymentRequest, *, actor: User | None, **fields) -> PaymentRequest:
    """Change a draft. Anything submitted is locked: a correction is a new version."""
    request = _locked(request)
    ensure_may(actor, Task.KEEP_BOOKS, request)
    if request.state != State.DRAFT:
        raise ValidationError(locked_reason(request))
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    before, _restricted = registry_services.snapshot(request)
    for name, value in fields.items():
        setattr(request, name, value)
    request.amount = money.parse_amount(request.amount)
    _check_links(request)
    return _write(request, actor=actor, action=Event.Action.UPDATE, before=before)


@transaction.atomic
def attach_voucher(
    request: PaymentRequest,
    *,
    actor: User | None,
    kind: str,
    title: str,
    upload: UploadedFile,
    expected_sha256: str = "",
) -> Voucher:
    """Store an invoice, receipt or contract (PDF, JPEG or PNG) with its SHA-256, which goes
    into the public log. Only a draft takes vouchers."""
    request = _locked(request)
    ensure_may(actor, Task.KEEP_BOOKS, request)
    if request.state != State.DRAFT:
        raise ValidationError(
            _("Request %(ref)s is locked; vouchers are added to a draft.")
            % {"ref": request.reference}
        )
    if kind not in Voucher.Kind.values:
        raise ValidationError({"kind": _("There is no voucher kind “%(kind)s”.") % {"kind": kind}})
    title = " ".join(str(title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the voucher a title (e.g. the invoice number).")})
    checked = check_document(upload, expected_sha256=expected_sha256)
    existing = request.vouchers.filter(sha256=checked.sha256).first()
    if existing is not None:
        return existing  # the same file sent again (a replay) is the voucher already stored
    elsewhere = (
        Voucher.objects.filter(
            sha256=checked.sha256, request__state__in=PaymentRequest.COMMITTED_STATES
        )
        .exclude(request__village=request.village, request__number=request.number)
        .select_related("request")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            {
                "file": _(
                    "This very file already backs request %(ref)s; one invoice or receipt "
                    "pays once."
                )
                % {"ref": elsewhere.request.reference}
            }
        )
    voucher = Voucher(
        request=request,
        kind=kind,
        title=title,
        sha256=checked.sha256,
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    voucher.file.save(upload.name or "voucher", upload, save=False)
    try:
        voucher.full_clean(exclude=["file"])
        voucher.save()
        changes, _restricted = registry_services.snapshot(voucher)
        registry_services.log_event(
            request, action=Event.Action.ATTACH, changes=changes, actor=actor
        )
    except BaseException:
        voucher.file.delete(save=False)
        raise
    return voucher


# ---------------------------------------------------------------- the project cap


def project_cap(project: Project) -> Decimal | None:
    """What may be paid against a project in all: its audited settlement once there is one,
    else its contract amount; None before a contract."""
    if project.settlement_amount is not None:
        return project.settlement_amount
    return project.contract_amount


def project_paid(project: Project) -> Decimal:
    """The project's "paid so far": the sum of its requests paid by bank transfer."""
    total = PaymentRequest.objects.filter(project=project, state=State.PAID).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal("0")


def project_committed(project: Project, *, besides: PaymentRequest | None = None) -> Decimal:
    """Paid, approved and awaiting approval against the project, other than `besides`."""
    rows = PaymentRequest.objects.filter(project=project, state__in=PaymentRequest.COMMITTED_STATES)
    if besides is not None and besides.pk:
        rows = rows.exclude(pk=besides.pk)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _check_cap(request: PaymentRequest) -> None:
    if not request.project_id:
        return
    project = Project.objects.select_for_update().get(pk=request.project_id)
    cap = project_cap(project)
    if cap is None:
        raise ValidationError(
            {
                "project": _(
                    "Project “%(name)s” has no contract yet: nothing can be paid against it."
                )
                % {"name": project.name}
            }
        )
    committed = project_committed(project, besides=request)
    if committed + request.amount > cap:
        what = (
            _("its audited settlement")
            if project.settlement_amount is not None
            else _("its contract")
        )
        raise ValidationError(
            {
                "amount": _(
                    "This would take payments for “%(name)s” to %(total)s yuan, above %(what)s "
                    "(%(cap)s yuan); %(left)s yuan remain."
                )
                % {
                    "name": project.name,
                    "total": f"{committed + request.amount:,.2f}",
                    "what": what,
                    "cap": f"{cap:,.2f}",
                    "left": f"{max(cap - committed, Decimal('0')):,.2f}",
                }
            }
        )


# ---------------------------------------------------------------- the chain


@transaction.atomic
def submit(request: PaymentRequest, *, actor: User | None) -> PaymentRequest:
    """Send a draft along its chain (taken from its power-list item and amount, copied onto the
    request). It needs at least one voucher, a payee with a bank account, and room under its
    project's contract or settlement."""
    request = _locked(request)
    ensure_may(actor, Task.KEEP_BOOKS, request)
    if request.state == State.PENDING:
        return request  # a resent submit
    if request.state != State.DRAFT:
        raise ValidationError(
            _("Request %(ref)s is %(state)s; only a draft is submitted.")
            % {"ref": request.reference, "state": request.get_state_display()}
        )
    if not request.vouchers.exists():
        raise ValidationError(
            {"vouchers": _("Attach at least one voucher (invoice, receipt or contract).")}
        )
    if not request.payee.account_number:
        raise ValidationError(
            {"payee": _("The payee has no bank account; payments are by bank transfer only.")}
        )
    _check_cap(request)
    rules = chains.chain_for(request.power_item, request.amount)
    if not rules:
        raise ValidationError(
            {
                "power_item": _(
                    "No approval chain is defined for this item and amount; ask the "
                    "township to set the approval rules."
                )
            }
        )
    ApprovalStep.objects.bulk_create(
        ApprovalStep(request=request, position=i, role=r.role, label=r.label)
        for i, r in enumerate(rules, start=1)
    )
    before, _restricted = registry_services.snapshot(request)
    request.state = State.PENDING
    request.submitted_at = timezone.now()
    chain = [f"{r.label}（{ROLE_LABELS[r.role]}）" for r in rules]
    return _write(
        request, actor=actor, action=Event.Action.SUBMIT, before=before, extra={"chain": chain}
    )


def current_step(request: PaymentRequest) -> ApprovalStep | None:
    return request.steps.filter(decision=ApprovalStep.Decision.PENDING).order_by("position").first()


def may_decide(actor: User | None, request: PaymentRequest, step: ApprovalStep | None) -> str:
    """ "" when `actor` may decide `step` of `request`, else why not (in the request's words)."""
    if step is None or request.state != State.PENDING:
        return _("Request %(ref)s is not awaiting approval.") % {"ref": request.reference}
    if actor is None or not actor.is_authenticated:
        return _("Log in to approve.")
    if actor.pk == request.drafted_by_id:
        return _("Nobody approves their own request.")
    if request.steps.filter(decided_by=actor).exists():
        return _("You have decided another step of this request; each step needs another person.")
    if step.role not in group_names(actor):
        return _("This step is for the %(role)s.") % {"role": ROLE_LABELS[step.role]}
    return ""


def _decide(
    request: PaymentRequest,
    *,
    actor: User | None,
    approve: bool,
    reason: str,
    position: int | None,
) -> PaymentRequest:
    request = _locked(request)
    ensure_may(actor, Task.APPROVE_PAYMENTS, request)
    reason = scrub(" ".join(str(reason or "").split()))
    decision = ApprovalStep.Decision.APPROVED if approve else ApprovalStep.Decision.REFUSED
    mine = request.steps.filter(decided_by=actor).first() if actor else None
    replay = mine is not None and mine.decision == decision
    if replay and position in (None, mine.position):
        return request  # the same decision sent again (a second tap, a replayed form)
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the request is refused.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": _("The reason is %(n)s characters too long.")
                % {"n": len(reason) - REASON_MAX}
            }
        )
    step = current_step(request)
    if position is not None and step is not None and step.position != position:
        raise PermissionDenied(
            _("That step has been decided already; the request is now at “%(step)s”.")
            % {"step": step.label}
        )
    refusal = may_decide(actor, request, step)
    if refusal:
        raise PermissionDenied(refusal)
    before, _restricted = registry_services.snapshot(request)
    now = timezone.now()
    step.decision, step.decided_by, step.decided_at, step.reason = decision, actor, now, reason
    step.full_clean()
    step.save()
    if not approve:
        request.steps.filter(decision=ApprovalStep.Decision.PENDING).update(
            decision=ApprovalStep.Decision.CANCELLED
        )
        request.state, request.decided_at = State.REFUSED, now
    elif current_step(request) is None:
        _check_cap(request)
        request.state, request.approved_at = State.APPROVED, now
    extra = {"label": step.label, "decision": step.decision}
    if reason:
        extra["reason"] = reason
    return _write(request, actor=actor, action=Event.Action.APPROVE, before=before, extra=extra)


@transaction.atomic
def approve(
    request: PaymentRequest, *, actor: User | None, reason: str = "", step: int | None = None
) -> PaymentRequest:
    """Approve the request's current step. The approver holds that step's role in the
    request's village or township, did not draft the request and decided no other step of it.
    The last step approves the request, which is then locked.

    `step` is the position the approver saw (a form sends it): the same decision on the same
    step again is a replay and changes nothing; a step decided meanwhile is refused."""
    return _decide(request, actor=actor, approve=True, reason=reason, position=step)


@transaction.atomic
def refuse(
    request: PaymentRequest, *, actor: User | None, reason: str, step: int | None = None
) -> PaymentRequest:
    """Refuse the request at its current step; a reason is required and public."""
    return _decide(request, actor=actor, approve=False, reason=reason, position=step)


@transaction.atomic
def withdraw(request: PaymentRequest, *, actor: User | None) -> PaymentRequest:
    """Withdraw a draft or a request still awaiting approval."""
    request = _locked(request)
    ensure_may(actor, Task.KEEP_BOOKS, request)
    if request.state == State.WITHDRAWN:
        return request
    if request.state not in PaymentRequest.OPEN_STATES:
        raise ValidationError(
            _("Request %(ref)s is %(state)s and can no longer be withdrawn.")
            % {"ref": request.reference, "state": request.get_state_display()}
        )
    before, _restricted = registry_services.snapshot(request)
    request.steps.filter(decision=ApprovalStep.Decision.PENDING).update(
        decision=ApprovalStep.Decision.CANCELLED
    )
    request.state, request.decided_at = State.WITHDRAWN, timezone.now()
    return _write(request, actor=actor, action=Event.Action.UPDATE, before=before)


@transaction.atomic
def revise(request: PaymentRequest, *, actor: User | None) -> PaymentRequest:
    """A corrected version of an approved (unpaid) or refused request: a new draft with the
    same number, the next version and copies of its vouchers, which runs the chain again. An
    approved request it replaces can no longer be paid. Asked twice, gives the same draft."""
    request = _locked(request)
    ensure_may(actor, Task.KEEP_BOOKS, request)
    newer = PaymentRequest.objects.filter(supersedes=request).first()
    if newer is not None:
        return newer
    if request.state not in (State.APPROVED, State.REFUSED):
        raise ValidationError(
            _(
                "Request %(ref)s is %(state)s; only an approved or refused request is corrected "
                "by a new version."
            )
            % {"ref": request.reference, "state": request.get_state_display()}
        )
    if request.state == State.APPROVED:
        before, _restricted = registry_services.snapshot(request)
        request.state = State.SUPERSEDED
        _write(request, actor=actor, action=Event.Action.UPDATE, before=before)
    copy = PaymentRequest(
        village=request.village,
        number=request.number,
        version=request.version + 1,
        supersedes=request,
        drafted_by=actor,
        **{name: getattr(request, name) for name in DRAFT_FIELDS},
    )
    _write(copy, actor=actor, action=Event.Action.CREATE, before=None)
    for voucher in request.vouchers.all():
        Voucher.objects.create(
            request=copy,
            kind=voucher.kind,
            title=voucher.title,
            file=voucher.file.name,
            sha256=voucher.sha256,
            size=voucher.size,
            content_type=voucher.content_type,
            uploaded_by=voucher.uploaded_by,
        )
    return copy


# ---------------------------------------------------------------- the bank payment


@transaction.atomic
def mark_paid(
    request: PaymentRequest,
    *,
    actor: User | None,
    bank_reference: str,
    paid_on: dt.date | None,
) -> PaymentRequest:
    """Record the bank transfer that paid an approved request: the bank's reference and date
    are required (there is no cash). The project's "paid so far" is recomputed from its paid
    requests. The same reference sent again for the same request is a replay."""
    request = _locked(request)
    ensure_may(actor, Task.KEEP_BOOKS, request)
    reference = money.parse_bank_reference(bank_reference)
    if request.state == State.PAID and request.bank_reference == reference:
        return request
    if request.state != State.APPROVED:
        raise ValidationError(
            _("Request %(ref)s is %(state)s; only an approved request is paid.")
            % {"ref": request.reference, "state": request.get_state_display()}
        )
    if paid_on is None:
        raise ValidationError({"paid_on": _("Give the date of the bank transfer.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The transfer date cannot be in the future.")})
    if paid_on < timezone.localtime(request.approved_at).date():
        raise ValidationError(
            {
                "paid_on": _(
                    "The transfer cannot be dated before the request was approved (%(day)s)."
                )
                % {"day": timezone.localtime(request.approved_at).date().isoformat()}
            }
        )
    used = (
        PaymentRequest.objects.filter(bank_reference=reference, state=State.PAID)
        .select_related("village")
        .first()
    )
    if used is not None:
        raise ValidationError(
            {
                "bank_reference": _(
                    "This transfer is already recorded for request %(ref)s of %(village)s."
                )
                % {"ref": used.reference, "village": used.village.name}
            }
        )
    _check_cap(request)
    before, _restricted = registry_services.snapshot(request)
    now = timezone.now()
    request.state, request.bank_reference, request.paid_on = State.PAID, reference, paid_on
    request.paid_at, request.paid_by = now, actor
    request.time_to_paid = now - request.created
    _write(request, actor=actor, action=Event.Action.PAID, before=before)
    if request.project_id:
        project = Project.objects.select_for_update().get(pk=request.project_id)
        project.paid_amount = project_paid(project)
        registry_services.save_record(project, actor=actor, task=Task.KEEP_BOOKS)
    return request


# ---------------------------------------------------------------- money received


@transaction.atomic
def record_receipt(*, actor: User | None, village: AdminUnit, **fields) -> Receipt:
    """Money received and banked (subsidies, fees, interest; rent goes on its lease). A bank
    reference is recorded once: the same receipt sent again (a second tap, another phone) is
    the one already recorded; another receipt with that reference is refused."""
    receipt = Receipt(village=village, recorded_by=actor, **fields)
    ensure_may(actor, Task.KEEP_BOOKS, receipt)
    receipt.amount = money.parse_amount(receipt.amount)
    receipt.bank_reference = money.parse_bank_reference(receipt.bank_reference)
    AdminUnit.objects.select_for_update().filter(pk=village.pk).first()
    same = Receipt.objects.filter(bank_reference=receipt.bank_reference).first()
    if same is not None:
        if same.village_id == village.pk and same.amount == receipt.amount:
            return same
        raise ValidationError(
            {
                "bank_reference": _(
                    "This bank reference is already recorded for money received by %(village)s "
                    "on %(day)s."
                )
                % {"village": same.village.name, "day": same.banked_on.isoformat()}
            }
        )
    receipt.payer = " ".join(str(receipt.payer or "").split())
    if receipt.banked_on and receipt.banked_on > timezone.localdate():
        raise ValidationError({"banked_on": _("The banking date cannot be in the future.")})
    return registry_services.save_record(receipt, actor=actor, task=Task.KEEP_BOOKS)


def median_time_to_paid(requests: models.QuerySet) -> dt.timedelta | None:
    """The median time from draft to bank payment of the paid requests in `requests`."""
    values = sorted(
        requests.filter(state=State.PAID, time_to_paid__isnull=False).values_list(
            "time_to_paid", flat=True
        )
    )
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2
