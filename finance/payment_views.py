"""Staff pages of village money, for a phone: the bookkeeper drafts a payment request with its
vouchers and records the bank transfer; the approvers of its chain approve or refuse it;
payees and money received. Thin: `finance.services` decides and logs, these pages translate
HTTP.

Who may neither keep the books nor approve gets a 403 saying who does; a request outside the
user's units is a 404. A form sent twice (two phones, a double tap, Back and send again) is
answered as the services answer it: the same draft, the same approval, the same payment. A
refusal (a stale page, a wrong role, bad input) shows the form again with the reason (400 or
403), never a 500, and writes nothing.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from finance import forms, selectors, services
from finance.models import ApprovalStep, PaymentRequest, Voucher
from registry.form_errors import form_errors
from registry.http import HtmxHttpRequest, filter_chips, paged
from registry.models import AdminUnit
from registry.roles import Task, public_actor
from registry.scoping import covers, ensure_may, may

State = PaymentRequest.State
T = TypeVar("T")
REQUESTS_PER_PAGE = 25
PAYEES_PER_PAGE = 50
RECENT_RECEIPTS = 10
# Where the services' reasons about a new request's vouchers go on its form.
VOUCHER_FIELDS = {
    "file": "voucher_files",
    "vouchers": "voucher_files",
    "title": "voucher_title",
    "kind": "voucher_kind",
}
FILE_FIELDS = {"file": "files", "vouchers": "files"}


READER_TASKS = (Task.KEEP_BOOKS, Task.APPROVE_PAYMENTS, Task.HANDLE_CASES)


def ensure_reader(user) -> None:
    """PermissionDenied, saying who does, for a user who neither keeps the books, approves, nor
    follows villagers' reports (the discipline office looks into a questioned payment)."""
    reasons = []
    for task in READER_TASKS:
        try:
            ensure_may(user, task)
        except PermissionDenied as exc:
            reasons.append(str(exc))
        else:
            return
    raise PermissionDenied(" ".join(reasons))


def _add_service_errors(form, exc: ValidationError, fields: dict | None = None) -> None:
    """The service's reasons on the form: under their field when the form has it (`fields`
    renames the service's field names to the form's)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, reasons in exc.message_dict.items():
        name = (fields or {}).get(field, field)
        form.add_error(name if name in form.fields else None, reasons)


def _attempt(form, call: Callable[[], T], fields: dict | None = None) -> tuple[T | None, int]:
    """`call()` for a valid form: (its result, 200), or the service's refusal put on the form,
    (None, 400) for bad input or a stale page, (None, 403) when it is not the user's to do."""
    if not form.is_valid():
        return None, 400
    try:
        return call(), 200
    except ValidationError as exc:
        _add_service_errors(form, exc, fields)
        return None, 400
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return None, 403


def _max_mb() -> int:
    return settings.DOCUMENT_MAX_BYTES // (1024 * 1024)


def _attach_all(request: PaymentRequest, user, *, kind: str, title: str, files) -> list[Voucher]:
    """Store each file as a voucher; if any is refused, none of this call's files are kept
    (the database rolls back with the caller's transaction, the files are deleted here)."""
    stored: list[Voucher] = []
    titles = selectors.voucher_titles(request, kind=kind, title=title, count=len(files))
    try:
        for upload, voucher_title in zip(files, titles, strict=True):
            voucher = services.attach_voucher(
                request, actor=user, kind=kind, title=voucher_title, upload=upload
            )
            stored.append(voucher)
    except BaseException:
        for voucher in stored:
            voucher.file.delete(save=False)
        raise
    return stored


# The list ------------------------------------------------------------------------------------


@login_required
@require_safe
def request_list(request: HtmxHttpRequest) -> HttpResponse:
    """The requests of the user's units, those waiting for the user's decision first, filtered
    in the URL by state, village and month drafted."""
    user = request.user
    ensure_reader(user)
    filters = forms.RequestFilterForm(request.GET)
    rows = selectors.requests_for(user)
    if filters.is_valid():
        rows = selectors.filtered(rows, filters.cleaned_data)
        errors = []
    else:
        rows, errors = rows.none(), form_errors(filters)
    first_page = request.GET.get("page", "1") == "1"
    waiting = selectors.waiting_for(user, rows) if first_page else []
    listed = paged(request, rows.exclude(pk__in=[r.pk for r in waiting]), REQUESTS_PER_PAGE)
    page = listed.pop("page")
    for row in [*waiting, *page]:
        row.step_now = selectors.step_now(row)
    context = {"waiting": waiting, "page": page, **listed, "filter_errors": errors}
    status = 400 if errors else 200
    if request.htmx and request.htmx.target != "request-results":
        return render(request, "finance/payments/request_list.html#request-rows", context)
    villages = selectors.village_chips(user, Task.KEEP_BOOKS) or selectors.village_chips(
        user, Task.APPROVE_PAYMENTS
    )
    context |= {
        "filters": [
            (_("State"), filter_chips(request, "state", State.choices)),
            *([(_("Village"), filter_chips(request, "village", villages))] if villages else []),
        ],
        "month": request.GET.get("month", ""),
        "keeps_books": may(user, Task.KEEP_BOOKS),
    }
    template = "finance/payments/request_list.html"
    if request.htmx:
        template += "#request-results"
    return render(request, template, context, status=status)


# Drafting ------------------------------------------------------------------------------------


def _draft(request: HtmxHttpRequest, form: forms.NewRequestForm) -> tuple[PaymentRequest, bool]:
    """The draft and its vouchers, and the submission when asked, all or nothing. The same
    form sent twice at once: the second finds the draft the first made."""
    try:
        return _draft_once(request, form)
    except IntegrityError:
        made = PaymentRequest.objects.filter(client_uuid=form.cleaned_data["client_uuid"]).first()
        if made is None:
            raise
        return made, False


def _draft_once(
    request: HtmxHttpRequest, form: forms.NewRequestForm
) -> tuple[PaymentRequest, bool]:
    data = form.cleaned_data
    with transaction.atomic():
        made, created = services.draft_request(
            actor=request.user,
            village=data["village"],
            client_uuid=data["client_uuid"],
            **form.draft_fields(),
        )
        if created and data["voucher_files"]:
            _attach_all(
                made,
                request.user,
                kind=data["voucher_kind"],
                title=data["voucher_title"],
                files=data["voucher_files"],
            )
        if "submit" in request.POST:
            made = services.submit(made, actor=request.user)
    return made, created


def _drafted_message(made: PaymentRequest, created: bool) -> str:
    if not created:
        return _("This form was already saved as request %(ref)s; nothing new was made.") % {
            "ref": made.reference
        }
    if made.state == State.PENDING:
        return _("Request %(ref)s is saved and sent for approval.") % {"ref": made.reference}
    return _("Request %(ref)s is saved as a draft.") % {"ref": made.reference}


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HtmxHttpRequest) -> HttpResponse:
    """The bookkeeper's new request: village, payee, amount, purpose, category, power-list
    item, what it pays for, and the vouchers; saved as a draft, or saved and submitted."""
    ensure_may(request.user, Task.KEEP_BOOKS)
    villages = selectors.villages_for(request.user, Task.KEEP_BOOKS)
    status = 200
    if request.method == "POST":
        form = forms.NewRequestForm(request.POST, request.FILES, villages=villages)
        saved, status = _attempt(form, lambda: _draft(request, form), VOUCHER_FIELDS)
        if saved is not None:
            made, created = saved
            messages.success(request, _drafted_message(made, created))
            return redirect(made.get_absolute_url())
    else:
        initial = {key: request.GET[key] for key in ("village", "payee") if request.GET.get(key)}
        form = forms.NewRequestForm(villages=villages, initial=initial)
    context = {
        "form": form,
        "errors": form_errors(form) if form.is_bound else [],
        "files_dropped": bool(request.FILES),
        "max_mb": _max_mb(),
    }
    return render(request, "finance/payments/request_form.html", context, status=status)


def _not_editable(request: HtmxHttpRequest, made: PaymentRequest) -> HttpResponse:
    """A request that is no draft is not edited: its page, saying why and what to do."""
    messages.error(request, services.locked_reason(made))
    return redirect(made.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Change a draft. Anything submitted is locked: a correction is a new version."""
    ensure_reader(request.user)
    made = selectors.request_for(request.user, pk)
    ensure_may(request.user, Task.KEEP_BOOKS, made)
    villages = AdminUnit.objects.filter(pk=made.village_id).defer("boundary")
    if made.state != State.DRAFT:
        return _not_editable(request, made)
    status = 200
    if request.method == "POST":
        form = forms.DraftForm(request.POST, villages=villages)
        saved, status = _attempt(
            form, lambda: services.update_draft(made, actor=request.user, **form.draft_fields())
        )
        if saved is not None:
            messages.success(request, _("The draft is saved."))
            return redirect(made.get_absolute_url())
        made.refresh_from_db(fields=["state"])
        if made.state != State.DRAFT:  # sent meanwhile, from another phone
            return _not_editable(request, made)
    else:
        form = forms.DraftForm(
            villages=villages,
            initial={
                "payee": made.payee_id,
                "amount": f"{made.amount:.2f}",
                "purpose": made.purpose,
                "category": made.category,
                "power_item": made.power_item_id,
                "project": made.project_id,
                "project_stage": made.project_stage,
                "lease": made.lease_id,
            },
        )
    context = {
        "form": form,
        "made": made,
        "errors": form_errors(form) if form.is_bound else [],
    }
    return render(request, "finance/payments/request_form.html", context, status=status)


# One request ---------------------------------------------------------------------------------


def _forms(user, made: PaymentRequest, refusal: str | None, bound: dict) -> dict:
    """The forms that apply to the request in its state, for this user; `bound` holds a
    refused one to show again with its input and reasons."""
    keeps_books = may(user, Task.KEEP_BOOKS, made)
    state = made.state
    shown = {}
    if keeps_books and state == State.DRAFT:
        shown["voucher"] = forms.VoucherForm()
        shown["submit"] = forms.ConfirmForm()
    if refusal == "":
        shown["approve"] = forms.ApproveForm()
        shown["refuse"] = forms.RefuseForm()
    if keeps_books and state == State.APPROVED:
        shown["pay"] = forms.PayForm()
    if keeps_books and state in (State.APPROVED, State.REFUSED) and made.newer is None:
        shown["revise"] = forms.ConfirmForm()
    if keeps_books and state in PaymentRequest.OPEN_STATES:
        shown["withdraw"] = forms.ConfirmForm()
    return shown | {key: form for key, form in bound.items() if key in shown}


def _page(
    request: HtmxHttpRequest,
    made: PaymentRequest,
    *,
    status: int = 200,
    errors=(),
    bound: dict | None = None,
    done: str = "",
) -> HttpResponse:
    user = request.user
    step = selectors.step_now(made)
    refusal = None
    if step is not None and may(user, Task.APPROVE_PAYMENTS, made):
        refusal = services.may_decide(user, made, step)
    for each in made.steps.all():
        each.actor_label = public_actor(each.decided_by) if each.decided_by_id else ""
    context = {
        "made": made,
        "step": step,
        "refusal": refusal,
        "forms": _forms(user, made, refusal, bound or {}),
        "may_edit": made.state == State.DRAFT and may(user, Task.KEEP_BOOKS, made),
        "refused_at": selectors.refused_step(made),
        "sees_restricted": covers(user, made),
        "drafted_by": public_actor(made.drafted_by) if made.drafted_by_id else "",
        "power_item_url": selectors.power_item_url(made),
        "project_money": selectors.project_money(made),
        "events": selectors.history(made),
        "errors": list(errors),
        "done": done,
        "max_mb": _max_mb(),
    }
    template = "finance/payments/request_detail.html"
    if request.htmx:
        template += "#request-panel"
    return render(request, template, context, status=status)


@login_required
@require_safe
def request_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    ensure_reader(request.user)
    return _page(request, selectors.request_for(request.user, pk))


def _act(
    request: HtmxHttpRequest,
    pk: int,
    *,
    key: str,
    form_class: type,
    do: Callable[[PaymentRequest, dict], tuple[str, PaymentRequest]],
) -> HttpResponse:
    """Check the form, run `do(request, data)` (→ what to tell the user, the request to show)
    and answer: the request's page after a redirect, or its panel for htmx; a refusal shows
    the form with the reason, 400 (bad input, a stale page) or 403 (not this user's to do)."""
    ensure_reader(request.user)
    made = selectors.request_for(request.user, pk)
    form = form_class(request.POST, request.FILES)
    result, status = _attempt(form, lambda: do(made, form.cleaned_data), FILE_FIELDS)
    if result is not None:
        done, shown = result
        if shown.pk != made.pk:  # a new version: its own page
            messages.success(request, done)
            if request.htmx:
                return HttpResponseClientRedirect(shown.get_absolute_url())
            return redirect(shown.get_absolute_url())
        if request.htmx:
            return _page(request, selectors.request_for(request.user, pk), done=done)
        messages.success(request, done)
        return redirect(made.get_absolute_url())
    made = selectors.request_for(request.user, pk)
    return _page(request, made, status=status, errors=form_errors(form), bound={key: form})


def _decided_by(made: PaymentRequest, user, decision: str) -> bool:
    return any(s.decided_by_id == user.pk and s.decision == decision for s in made.steps.all())


@login_required
@require_POST
def request_voucher(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        with transaction.atomic():
            stored = _attach_all(
                made, request.user, kind=data["kind"], title=data["title"], files=data["files"]
            )
        done = ngettext(
            "%(count)s voucher stored with its SHA-256.",
            "%(count)s vouchers stored with their SHA-256.",
            len(stored),
        ) % {"count": len(stored)}
        return done, made

    return _act(request, pk, key="voucher", form_class=forms.VoucherForm, do=do)


@login_required
@require_POST
def request_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        already = made.state == State.PENDING
        services.submit(made, actor=request.user)
        if already:
            return _("Request %(ref)s was already sent for approval.") % {
                "ref": made.reference
            }, made
        return _("Sent for approval."), made

    return _act(request, pk, key="submit", form_class=forms.ConfirmForm, do=do)


@login_required
@require_POST
def request_withdraw(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        already = made.state == State.WITHDRAWN
        services.withdraw(made, actor=request.user)
        if already:
            return _("Request %(ref)s was already withdrawn.") % {"ref": made.reference}, made
        return _("Withdrawn."), made

    return _act(request, pk, key="withdraw", form_class=forms.ConfirmForm, do=do)


def _step_seen(request: HtmxHttpRequest) -> int | None:
    """The position of the step the approver's page showed (the forms send it), so that a
    stale page decides nothing but that step; None from a client that sends none."""
    raw = request.POST.get("step", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or int(raw) == 0:
        raise ValidationError(
            _("This form names no step of the chain (“%(step)s”): reload the page.")
            % {"step": raw[:10]}
        )
    return int(raw)


@login_required
@require_POST
def request_approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        step = _step_seen(request)
        already = _decided_by(made, request.user, ApprovalStep.Decision.APPROVED)
        done = services.approve(made, actor=request.user, reason=data["remark"], step=step)
        if already:
            return _("You had already approved this request; nothing changed."), made
        if done.state == State.APPROVED:
            return _("Approved: the request is approved and can be paid by bank transfer."), made
        return _("Approved: the request goes on to the next step."), made

    return _act(request, pk, key="approve", form_class=forms.ApproveForm, do=do)


@login_required
@require_POST
def request_refuse(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        step = _step_seen(request)
        already = _decided_by(made, request.user, ApprovalStep.Decision.REFUSED)
        services.refuse(made, actor=request.user, reason=data["reason"], step=step)
        if already:
            return _("You had already refused this request; nothing changed."), made
        return _("Refused, with the reason in the public log."), made

    return _act(request, pk, key="refuse", form_class=forms.RefuseForm, do=do)


def _asks_confirmation(user, made: PaymentRequest) -> bool:
    """A new version of an approved request makes it unpayable: the bookkeeper confirms it."""
    return made.state == State.APPROVED and made.newer is None and may(user, Task.KEEP_BOOKS, made)


@login_required
@require_http_methods(["GET", "POST"])
def request_revise(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A corrected version. Of an approved request, only once confirmed (`confirm=yes`: the
    page's dialog sends it, or the page this answers without it), since the approved one can
    then no longer be paid."""
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        ensure_reader(request.user)
        made = selectors.request_for(request.user, pk)
        if _asks_confirmation(request.user, made):
            if request.htmx:
                return HttpResponseClientRedirect(reverse("finance:request-revise", args=[pk]))
            context = {"made": made}
            return render(request, "finance/payments/revise_confirm.html", context)
        if request.method == "GET":
            return redirect(made.get_absolute_url())

    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        newer = services.revise(made, actor=request.user)
        return _("Version %(version)s is a draft: correct it and send it again.") % {
            "version": newer.version
        }, newer

    return _act(request, pk, key="revise", form_class=forms.ConfirmForm, do=do)


@login_required
@require_POST
def request_pay(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(made: PaymentRequest, data: dict) -> tuple[str, PaymentRequest]:
        already = made.state == State.PAID
        services.mark_paid(
            made,
            actor=request.user,
            bank_reference=data["bank_reference"],
            paid_on=data["paid_on"],
        )
        if already:
            return _("This transfer was already recorded; nothing changed."), made
        return _("Paid by bank transfer: recorded."), made

    return _act(request, pk, key="pay", form_class=forms.PayForm, do=do)


@login_required
@require_safe
def voucher_file(request: HtmxHttpRequest, pk: int) -> FileResponse:
    """A voucher's file, shown in the browser, for staff of the request's units only (an
    invoice may carry personal data)."""
    ensure_reader(request.user)
    voucher = selectors.voucher_for(request.user, pk)
    try:
        handle = voucher.file.open("rb")
    except OSError as exc:
        raise Http404(_("The stored file is missing.")) from exc
    suffix = voucher.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=False,
        filename=f"{voucher.title}.{suffix}",
        content_type=voucher.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Content-SHA256"] = voucher.sha256
    response["Cache-Control"] = "private, no-store"
    return response


# Payees and money received ------------------------------------------------------------------


@login_required
@require_safe
def payee_list(request: HtmxHttpRequest) -> HttpResponse:
    """The payees of the user's villages, with their bank accounts (staff of the units only)."""
    ensure_reader(request.user)
    rows = selectors.payees_for(request.user)
    village = request.GET.get("village", "")
    if village:
        rows = rows.filter(village__code=village)
    listed = paged(request, rows, PAYEES_PER_PAGE)
    chips = selectors.village_chips(request.user, Task.KEEP_BOOKS)
    context = {
        **listed,
        "chips": filter_chips(request, "village", chips) if chips else [],
        "keeps_books": may(request.user, Task.KEEP_BOOKS),
    }
    return render(request, "finance/payments/payee_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def payee_new(request: HtmxHttpRequest) -> HttpResponse:
    """A new payee; from the request form (`?next=request`), back to it with the payee chosen."""
    ensure_may(request.user, Task.KEEP_BOOKS)
    villages = selectors.villages_for(request.user, Task.KEEP_BOOKS)
    back_to_request = request.GET.get("next") == "request"
    status = 200
    if request.method == "POST":
        form = forms.PayeeForm(request.POST, villages=villages)
        payee, status = _attempt(
            form, lambda: services.save_payee(form.payee(), actor=request.user)
        )
        if payee is not None:
            messages.success(request, _("Payee %(name)s is saved.") % {"name": payee.public_name})
            query = f"?village={payee.village.code}"
            if back_to_request:
                return redirect(f"{reverse('finance:request-new')}{query}&payee={payee.pk}")
            return redirect(f"{reverse('finance:payee-list')}{query}")
    else:
        initial = {"village": request.GET["village"]} if request.GET.get("village") else {}
        form = forms.PayeeForm(villages=villages, initial=initial)
    context = {
        "form": form,
        "errors": form_errors(form) if form.is_bound else [],
        "back_to_request": back_to_request,
    }
    return render(request, "finance/payments/payee_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def receipt_new(request: HtmxHttpRequest) -> HttpResponse:
    """Money received and banked, and the latest receipts of the user's villages."""
    ensure_may(request.user, Task.KEEP_BOOKS)
    villages = selectors.villages_for(request.user, Task.KEEP_BOOKS)
    status = 200
    if request.method == "POST":
        form = forms.ReceiptForm(request.POST, villages=villages)

        def record():
            data = dict(form.cleaned_data)
            return services.record_receipt(actor=request.user, village=data.pop("village"), **data)

        receipt, status = _attempt(form, record)
        if receipt is not None:
            messages.success(request, _("The receipt is recorded."))
            return redirect("finance:receipt-new")
    else:
        form = forms.ReceiptForm(villages=villages)
    context = {
        "form": form,
        "errors": form_errors(form) if form.is_bound else [],
        "receipts": selectors.receipts_for(request.user)[:RECENT_RECEIPTS],
    }
    return render(request, "finance/payments/receipt_form.html", context, status=status)
