"""What each role may do: the one table. `registry.scoping.may` answers every "may this user do
this task on this record" from it, and each role's group gets exactly the model permissions
listed here (the admin reads those) after every migrate and flush (`registry.apps.sync_roles`),
so the two never drift apart.

| role (group)         | tasks                                                 | where        |
|----------------------|-------------------------------------------------------|--------------|
| `city_admin`         | everything: records and units, procedure, leases,     | all the city |
|                      | auctions, codes, imports, field work, acceptance,     |              |
|                      | checklists, paused log-ins (lift one early)           |              |
| `township_staff`     | edit records (assets, projects, sites, routes,        | own units    |
|                      | cooperatives), run the procedure, leases and          |              |
|                      | payments, auctions, issue codes, import assets,       |              |
|                      | define the field app's inspection checklists          |              |
| `bookkeeper`         | leases, payments, renewals, sublets; the procedure    | own villages |
| `village_supervisor` | field work (inspections, photos, progress, notes);    | own villages |
|                      | open acceptance from the site                         |              |
| `field_inspector`    | the same as the village supervisor                    | own villages |
| `village_supervisor` | also: work villagers' reports (cases) of the station  | own villages |
| `discipline_office`  | the township discipline office (纪工委/监察办): work  | own township |
|                      | every case, see confidential reporters' contacts,     |              |
|                      | run inspection tours and define their checklist       |              |
| `township_staff`,    | also: data warnings (预警) in their units:            | own units    |
| `village_supervisor`,| acknowledge, dismiss with a reason, record what was   |              |
| `discipline_office`  | done, turn one into a case                            |              |
| `bookkeeper`         | also: village money (报账): payees, payment requests  | own villages |
|                      | and vouchers, receipts, recording a bank payment      |              |
| `village_head`       | approve payment requests (村委会主任审批)             | own villages |
| `village_supervisor` | also: countersign payment requests (村监委会签)       | own villages |
| `finance_office`     | the township's rural finance office (经管办): approve | own township |
|                      | requests above its threshold, record bank payments,   |              |
|                      | publish and amend the monthly disclosure (三务公开)   |              |
| `township_leader`    | the township leader in charge: approve the largest    | own township |
|                      | requests                                              |              |
| `township_staff`     | also: publish and amend monthly disclosures, edit the | own units    |
|                      | risk points; city staff edit the power list           |              |
| anyone else          | nothing: reads the public record only                 |              |

A superuser may do everything everywhere; `None` as the actor is the system itself (the demo
loader, management commands), which may too. A record is in a user's units when its village
(or unit) is one of the units on their profile or below one of them.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role:
    CITY = "city_admin"
    TOWNSHIP = "township_staff"
    SUPERVISOR = "village_supervisor"
    INSPECTOR = "field_inspector"
    BOOKKEEPER = "bookkeeper"
    DISCIPLINE = "discipline_office"
    VILLAGE_HEAD = "village_head"
    FINANCE_OFFICE = "finance_office"
    TOWNSHIP_LEADER = "township_leader"

    ALL = (
        CITY,
        TOWNSHIP,
        SUPERVISOR,
        INSPECTOR,
        BOOKKEEPER,
        DISCIPLINE,
        VILLAGE_HEAD,
        FINANCE_OFFICE,
        TOWNSHIP_LEADER,
    )
    # Who may stand on a payment request's approval chain (finance.ApprovalRule.role).
    APPROVERS = (SUPERVISOR, VILLAGE_HEAD, FINANCE_OFFICE, TOWNSHIP_LEADER, TOWNSHIP, CITY)


# How the public log names who acted: the role, in the page's language.
ROLE_LABELS = {
    Role.CITY: _("City staff"),
    Role.TOWNSHIP: _("Township staff"),
    Role.SUPERVISOR: _("Village supervisor"),
    Role.INSPECTOR: _("Field inspector"),
    Role.BOOKKEEPER: _("Village bookkeeper"),
    Role.DISCIPLINE: _("Township discipline office"),
    Role.VILLAGE_HEAD: _("Village head"),
    Role.FINANCE_OFFICE: _("Township rural finance office"),
    Role.TOWNSHIP_LEADER: _("Township leader in charge"),
}


def public_actor(user) -> str:
    """Who did something, as the public sees it: the role and the public display name staff
    give themselves (the user's first name field), never the login name. `None` is the system."""
    if user is None:
        return str(_("system"))
    roles = [str(ROLE_LABELS[g.name]) for g in user.groups.all() if g.name in ROLE_LABELS]
    role = roles[0] if roles else str(_("Staff member"))
    return f"{role} · {user.first_name}" if user.first_name else role


class Task(StrEnum):
    EDIT_RECORD = "edit_record"  # assets, projects, sites, routes, cooperatives
    EDIT_UNITS = "edit_units"  # the admin units themselves: names, codes, boundaries
    RUN_PROCEDURE = "run_procedure"  # the small-project procedure, stage by stage
    MANAGE_LEASE = "manage_lease"  # leases, rent payments, renewals, declared sublets
    RUN_AUCTION = "run_auction"  # announce, take bids, publish or cancel
    ISSUE_CODES = "issue_codes"  # electronic IDs and their plaques
    IMPORT_ASSETS = "import_assets"  # asset files through /transfer/import/
    RECORD_FIELD_WORK = "record_field_work"  # inspections, photos, progress, notes, follow-ups
    OPEN_ACCEPTANCE_FROM_SITE = "open_acceptance_from_site"  # construction -> acceptance
    DEFINE_CHECKLISTS = "define_checklists"  # the field app's inspection checklists (admin)
    REVIEW_LOGIN_PAUSES = "review_login_pauses"  # django-axes' attempts: see, lift a pause
    HANDLE_CASES = "handle_cases"  # villagers' reports: accept, verify, order rectification
    SEE_CONTACTS = "see_contacts"  # a confidential reporter's contact (the station head too)
    RUN_TOURS = "run_tours"  # inspection tours (巡察), their findings, their checklist
    HANDLE_WARNINGS = "handle_warnings"  # data warnings (预警): acknowledge, dismiss, open a case
    KEEP_BOOKS = "keep_books"  # payees, payment requests, vouchers, receipts, bank payments
    APPROVE_PAYMENTS = "approve_payments"  # a step of a payment request's chain, by its role
    PUBLISH_DISCLOSURES = "publish_disclosures"  # the monthly 三务公开: publish, amend
    EDIT_POWER_LIST = "edit_power_list"  # the power list, its steps, approval rules, risk points


FIELD_TASKS = frozenset({Task.RECORD_FIELD_WORK, Task.OPEN_ACCEPTANCE_FROM_SITE})

ROLE_TASKS: dict[str, frozenset[Task]] = {
    Role.CITY: frozenset(Task),
    Role.TOWNSHIP: frozenset(
        {
            Task.EDIT_RECORD,
            Task.RUN_PROCEDURE,
            Task.MANAGE_LEASE,
            Task.RUN_AUCTION,
            Task.ISSUE_CODES,
            Task.IMPORT_ASSETS,
            Task.DEFINE_CHECKLISTS,
            Task.HANDLE_WARNINGS,
            Task.PUBLISH_DISCLOSURES,
            Task.APPROVE_PAYMENTS,
            Task.EDIT_POWER_LIST,
        }
    ),
    Role.BOOKKEEPER: frozenset({Task.RUN_PROCEDURE, Task.MANAGE_LEASE, Task.KEEP_BOOKS}),
    Role.SUPERVISOR: FIELD_TASKS | {Task.HANDLE_CASES, Task.HANDLE_WARNINGS, Task.APPROVE_PAYMENTS},
    Role.INSPECTOR: FIELD_TASKS,
    Role.DISCIPLINE: frozenset(
        {Task.HANDLE_CASES, Task.SEE_CONTACTS, Task.RUN_TOURS, Task.HANDLE_WARNINGS}
    ),
    Role.VILLAGE_HEAD: frozenset({Task.APPROVE_PAYMENTS}),
    Role.FINANCE_OFFICE: frozenset(
        {Task.APPROVE_PAYMENTS, Task.KEEP_BOOKS, Task.PUBLISH_DISCLOSURES}
    ),
    Role.TOWNSHIP_LEADER: frozenset({Task.APPROVE_PAYMENTS}),
}

# The task that writing each kind of record takes, unless the service doing it says otherwise
# (a lease marks its asset leased as part of managing leases; the procedure moves a project).
RECORD_TASKS: dict[str, Task] = {
    "registry.adminunit": Task.EDIT_UNITS,
    "registry.cooperative": Task.EDIT_RECORD,
    "registry.asset": Task.EDIT_RECORD,
    "projects.project": Task.EDIT_RECORD,
    "visits.site": Task.EDIT_RECORD,
    "visits.route": Task.EDIT_RECORD,
    "leasing.lease": Task.MANAGE_LEASE,
    "leasing.leasepayment": Task.MANAGE_LEASE,
    "leasing.sublet": Task.MANAGE_LEASE,
    "leasing.auction": Task.RUN_AUCTION,
    "leasing.bid": Task.RUN_AUCTION,
    "projects.deliberation": Task.RUN_PROCEDURE,
    "projects.disclosure": Task.RUN_PROCEDURE,
    "projects.projectdocument": Task.RUN_PROCEDURE,
    "supervision.station": Task.EDIT_RECORD,
    "supervision.case": Task.HANDLE_CASES,
    "supervision.tour": Task.RUN_TOURS,
    "alerts.alert": Task.HANDLE_WARNINGS,
    "finance.payee": Task.KEEP_BOOKS,
    "finance.paymentrequest": Task.KEEP_BOOKS,
    "finance.voucher": Task.KEEP_BOOKS,
    "finance.receipt": Task.KEEP_BOOKS,
    "finance.monthlydisclosure": Task.PUBLISH_DISCLOSURES,
    "finance.poweritem": Task.EDIT_POWER_LIST,
    "finance.powerstep": Task.EDIT_POWER_LIST,
    "finance.approvalrule": Task.EDIT_POWER_LIST,
    "finance.riskpoint": Task.EDIT_POWER_LIST,
}

# The admin's model permissions ("app_label.codename") that go with each task; every staff role
# views the record.
TASK_PERMISSIONS: dict[Task, tuple[str, ...]] = {
    Task.DEFINE_CHECKLISTS: tuple(
        f"fieldapp.{verb}_{model}"
        for verb in ("view", "add", "change")
        for model in ("checklist", "checklistitem")
    ),
    Task.REVIEW_LOGIN_PAUSES: (
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ),
    Task.EDIT_RECORD: tuple(
        f"{app}.{verb}_{model}"
        for verb in ("add", "change")
        for app, model in (
            ("registry", "cooperative"),
            ("registry", "asset"),
            ("projects", "project"),
            ("visits", "site"),
            ("visits", "route"),
            ("supervision", "station"),
        )
    ),
    Task.EDIT_UNITS: ("registry.add_adminunit", "registry.change_adminunit"),
    Task.MANAGE_LEASE: (
        "leasing.add_lease",
        "leasing.change_lease",
        "leasing.add_leasepayment",
        "leasing.add_sublet",
    ),
    Task.RUN_AUCTION: ("leasing.add_auction", "leasing.change_auction", "leasing.add_bid"),
    Task.SEE_CONTACTS: ("supervision.view_reportercontact",),
    Task.RUN_TOURS: tuple(
        f"supervision.{verb}_{model}"
        for verb in ("view", "add", "change")
        for model in ("tourarea", "problemform", "tour", "finding")
    ),
    Task.HANDLE_CASES: ("supervision.view_case", "supervision.view_category"),
    Task.KEEP_BOOKS: (
        "finance.view_payee",
        "finance.view_paymentrequest",
        "finance.view_voucher",
        "finance.view_receipt",
    ),
    Task.APPROVE_PAYMENTS: ("finance.view_paymentrequest", "finance.view_approvalstep"),
    Task.PUBLISH_DISCLOSURES: ("finance.view_monthlydisclosure",),
    Task.EDIT_POWER_LIST: tuple(
        f"finance.{verb}_{model}"
        for verb in ("view", "add", "change")
        for model in ("poweritem", "powerstep", "approvalrule", "riskpoint")
    ),
    Task.HANDLE_WARNINGS: (
        "alerts.view_alert",
        "alerts.view_alertchange",
        "alerts.view_rulesetting",
    ),
}
STAFF_VIEW_PERMISSIONS = tuple(
    f"{app}.view_{model}"
    for app, model in (
        ("registry", "adminunit"),
        ("registry", "cooperative"),
        ("registry", "asset"),
        ("projects", "project"),
        ("leasing", "lease"),
        ("leasing", "leasepayment"),
        ("visits", "site"),
        ("visits", "route"),
        ("trail", "event"),
        ("leasing", "auction"),
        ("leasing", "bid"),
        ("leasing", "sublet"),
        ("supervision", "station"),
    )
)
# The field records (written from the phone), which staff look up in the admin, in their units.
STAFF_VIEW_PERMISSIONS += tuple(
    f"fieldapp.view_{model}"
    for model in ("inspection", "followup", "photo", "supervisornote", "progressreport")
)


def task_for(record) -> Task:
    """The task that writing this record takes, by its model."""
    return RECORD_TASKS[record._meta.label_lower]


def model_permissions(role: str) -> frozenset[str]:
    """The "app_label.codename" permissions the role's group holds: exactly what its tasks need."""
    tasks = ROLE_TASKS[role]
    codenames = frozenset(STAFF_VIEW_PERMISSIONS).union(
        *(TASK_PERMISSIONS.get(task, ()) for task in tasks)
    )
    return frozenset(codenames)


MANAGED_APPS = (
    "trail",
    "registry",
    "projects",
    "leasing",
    "visits",
    "fieldapp",
    "supervision",
    "alerts",
    "finance",
    "axes",
)


def sync_group_permissions(group_model, permission_model) -> None:
    """Give each role's group exactly its permissions in the apps this table manages
    (`MANAGED_APPS`); permissions of other apps an operator granted stay. The models may be a
    migration's historical ones; permissions not created yet are simply not there to add."""
    managed = list(
        permission_model.objects.filter(content_type__app_label__in=MANAGED_APPS).values_list(
            "pk", "content_type__app_label", "codename"
        )
    )
    for role in Role.ALL:
        group, _created = group_model.objects.get_or_create(name=role)
        wanted = model_permissions(role)
        keep = {pk for pk, app, codename in managed if f"{app}.{codename}" in wanted}
        group.permissions.remove(*(pk for pk, _app, _code in managed if pk not in keep))
        group.permissions.add(*keep)
