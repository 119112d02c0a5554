import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.management import call_command
from django.urls import reverse

from projects.models import Project
from registry.models import AdminUnit, Asset
from registry.roles import Task, model_permissions
from registry.scoping import Role, may, unit_ids_in_scope
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "group"),
    [
        ("city", Role.CITY),
        ("township", Role.TOWNSHIP),
        ("supervisor", Role.SUPERVISOR),
        ("inspector", Role.INSPECTOR),
        ("bookkeeper", Role.BOOKKEEPER),
    ],
)
def test_each_demo_role_logs_in_and_reaches_the_staff_pages(client, username, group):
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.session["_auth_user_id"]
    assert User.objects.get(username=username).groups.filter(name=group).exists()


def test_a_wrong_password_is_refused_with_a_message(client):
    response = client.post(reverse("login"), {"username": "city", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_scope_covers_the_units_below_a_users_units(demo_user):
    caocun = AdminUnit.objects.get(name="曹村镇")
    ids = unit_ids_in_scope(demo_user("township"))
    assert caocun.pk in ids
    assert set(caocun.children.values_list("pk", flat=True)) <= ids
    assert AdminUnit.objects.get(name="白岩桥村").pk not in ids
    assert unit_ids_in_scope(demo_user("city")) is None


def test_bookkeepers_record_leases_but_cannot_change_assets(client, demo_user):
    client.force_login(demo_user("bookkeeper"))
    assert client.get(reverse("admin:leasing_lease_add")).status_code == 200
    assert client.get(reverse("admin:registry_asset_add")).status_code == 403


def test_logout_is_a_post_and_returns_home(client, demo_user):
    client.force_login(demo_user("city"))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


VIEW = {
    f"view_{model}"
    for model in (
        "adminunit",
        "cooperative",
        "asset",
        "project",
        "lease",
        "leasepayment",
        "site",
        "route",
        "event",
        "auction",
        "bid",
        "sublet",
    )
}
EDIT = {
    f"{verb}_{model}"
    for verb in ("add", "change")
    for model in ("cooperative", "asset", "project", "site", "route")
}
LEASES = {"add_lease", "change_lease", "add_leasepayment", "add_sublet"}
AUCTIONS = {"add_auction", "change_auction", "add_bid"}
UNITS = {"add_adminunit", "change_adminunit"}


@pytest.mark.parametrize(
    ("group", "codenames"),
    [
        (Role.CITY, VIEW | EDIT | LEASES | AUCTIONS | UNITS),
        (Role.TOWNSHIP, VIEW | EDIT | LEASES | AUCTIONS),
        (Role.BOOKKEEPER, VIEW | LEASES),
        (Role.SUPERVISOR, VIEW),
        (Role.INSPECTOR, VIEW),
    ],
)
def test_each_group_holds_exactly_the_model_permissions_of_the_role_table(group, codenames):
    held = set(
        Group.objects.get(name=group)
        .permissions.filter(
            content_type__app_label__in=("trail", "registry", "projects", "leasing", "visits")
        )
        .values_list("codename", flat=True)
    )
    assert held == codenames


def test_the_field_inspector_group_cannot_change_projects(demo_user):
    """Security finding 2: the group held the permission to change projects."""
    inspector = demo_user("inspector")
    assert not inspector.has_perm("projects.change_project")
    assert not may(inspector, Task.EDIT_RECORD, Project.objects.filter(village__name="东岙村")[0])


def test_superusers_may_everything_everywhere_and_the_system_too():
    root = User.objects.create_superuser("root-roles", "root@example.cn", "x")
    elsewhere = Project.objects.exclude(village__parent__name="曹村镇").first()
    for task in Task:
        assert may(root, task, elsewhere)
        assert may(None, task, elsewhere)
        assert not may(AnonymousUser(), task, elsewhere)


def test_city_staff_may_every_task_city_wide_and_township_staff_only_at_home(demo_user):
    home = Asset.objects.filter(village__parent__name="曹村镇").first()
    elsewhere = Asset.objects.exclude(village__parent__name="曹村镇").first()
    city, township = demo_user("city"), demo_user("township")
    assert all(may(city, task, elsewhere) for task in Task)
    assert may(township, Task.EDIT_RECORD, home)
    assert not may(township, Task.EDIT_RECORD, elsewhere)
    assert not may(township, Task.RECORD_FIELD_WORK, home)
    assert not may(township, Task.EDIT_UNITS, home.village)


def test_a_deactivated_account_may_nothing(demo_user):
    township = demo_user("township")
    township.is_active = False
    home = Asset.objects.filter(village__parent__name="曹村镇").first()
    assert not any(may(township, task, home) for task in Task)


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("city", True), ("township", True), ("bookkeeper", False), ("inspector", False)],
)
def test_township_and_city_staff_define_the_field_checklists_in_the_admin(
    client, demo_user, username, allowed
):
    client.force_login(demo_user(username))
    response = client.get(reverse("admin:fieldapp_checklist_add"))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    ("username", "allowed"), [("city", True), ("township", False), ("supervisor", False)]
)
def test_city_staff_see_and_lift_paused_log_ins(client, demo_user, username, allowed):
    client.post(reverse("login"), {"username": "bookkeeper", "password": "wrong"})
    client.force_login(demo_user(username))
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        html = response.content.decode()
        assert "bookkeeper" in html
        assert "登录尝试" in html and "已暂停登录" in html  # axes' admin in Chinese
        assert "Access attempts" not in html
        assert demo_user(username).has_perm("axes.delete_accessattempt")


def test_a_migrate_gives_every_role_group_its_permissions_back():
    Group.objects.get(name="township_staff").permissions.clear()
    call_command("migrate", verbosity=0)
    held = Group.objects.get(name="township_staff").permissions.values_list(
        "content_type__app_label", "codename"
    )
    assert {f"{app}.{codename}" for app, codename in held} == model_permissions("township_staff")
