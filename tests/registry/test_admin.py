import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from leasing.models import Lease, LeasePayment
from projects import services as project_services
from projects.models import Project
from registry.models import AdminUnit, Asset, Cooperative
from tests.conftest import DEMO_PASSWORD
from trail.models import Event
from visits.models import Route, Site

pytestmark = pytest.mark.django_db


def test_asset_admin_form_has_a_map_widget_served_from_our_static_files(admin_client):
    asset = Asset.objects.filter(kind="parcel").first()
    html = admin_client.get(
        reverse("admin:registry_asset_change", args=[asset.pk])
    ).content.decode()
    assert "/static/vendor/ol-7.2.2/ol.js" in html
    assert "/static/js/map_widget.js" in html
    assert 'data-map-widget="id_geometry_options"' in html
    assert "cdn.jsdelivr" not in html


@pytest.mark.parametrize(
    "model",
    [
        "adminunit",
        "cooperative",
        "asset",
        "project",
        "lease",
        "leasepayment",
        "site",
        "route",
        "event",
    ],
)
def test_every_model_has_a_working_admin_list_with_search(admin_client, model):
    term, expected = SEARCHES[model]()
    response = admin_client.get(
        reverse(f"admin:{expected.model._meta.app_label}_{model}_changelist"), {"q": term}
    )
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    wanted = set(expected.values_list("pk", flat=True))
    assert wanted, term
    assert listed == wanted, term
    assert expected.model.objects.exclude(pk__in=wanted).exists()  # some rows are left out


def _a_payment_reference() -> tuple[str, object]:
    payment = LeasePayment.objects.exclude(bank_reference="").order_by("pk").first()
    return payment.bank_reference, LeasePayment.objects.filter(pk=payment.pk)


def _an_events_hash() -> tuple[str, object]:
    event = Event.objects.order_by("seq")[9]
    return event.hash[:20], Event.objects.filter(pk=event.pk)


# Per admin: a search term, and the records it should list (and only those).
SEARCHES = {
    "adminunit": lambda: ("东岙", AdminUnit.objects.filter(name="东岙村")),
    "cooperative": lambda: ("东岙村", Cooperative.objects.filter(village__name="东岙村")),
    "asset": lambda: ("东岙村", Asset.objects.filter(village__name="东岙村")),
    "project": lambda: ("东岙村", Project.objects.filter(village__name="东岙村")),
    "lease": lambda: ("东岙村", Lease.objects.filter(asset__village__name="东岙村")),
    "leasepayment": _a_payment_reference,
    "site": lambda: ("许岙", Site.objects.filter(name__contains="许岙")),
    "route": lambda: ("曹村", Route.objects.filter(name__startswith="曹村")),
    "event": _an_events_hash,
}


def test_asset_list_filters_by_township_and_kind(admin_client):
    url = reverse("admin:registry_asset_changelist")
    response = admin_client.get(url, {"township": "330381102", "kind": "parcel"})
    shown = response.context["cl"].queryset
    assert shown.exists()
    assert all(a.village.parent.code == "330381102" and a.kind == "parcel" for a in shown)


def test_township_staff_see_only_their_township(client, demo_user):
    client.force_login(demo_user("township"))
    response = client.get(reverse("admin:registry_asset_changelist"))
    shown = response.context["cl"].queryset
    assert shown.count() == Asset.objects.filter(village__parent__name="曹村镇").count()
    elsewhere = Asset.objects.exclude(village__parent__name="曹村镇").first()
    change_url = reverse("admin:registry_asset_change", args=[elsewhere.pk])
    assert client.get(change_url).status_code in (302, 403, 404)


def test_saving_in_the_admin_goes_through_the_service_and_logs_an_event(client, demo_user):
    user = demo_user("township")
    client.force_login(user)
    asset = (
        Asset.objects.filter(village__parent__name="曹村镇", kind="building")
        .exclude(status="retired")
        .first()
    )
    url = reverse("admin:registry_asset_change", args=[asset.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {
        "village": asset.village_id,
        "owner": asset.owner_id,
        "geometry": asset.geometry.transform(3857, clone=True).geojson,  # as the widget sends
        "name": asset.name + "（已修缮）",
        "acquired_on": asset.acquired_on.isoformat() if asset.acquired_on else "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.latest("seq")
    assert event.actor_name == "township"
    assert event.changes["name"]["to"].endswith("（已修缮）")


def test_admin_refuses_invalid_geometry_with_a_message(client, demo_user):
    client.force_login(demo_user("township"))
    asset = Asset.objects.filter(village__parent__name="曹村镇", kind="parcel").first()
    url = reverse("admin:registry_asset_change", args=[asset.pk])
    bowtie = (
        MultiPolygon(
            Polygon(
                [(120.52, 27.9), (120.53, 27.91), (120.53, 27.9), (120.52, 27.91), (120.52, 27.9)]
            ),
            srid=4326,
        )
        .transform(3857, clone=True)
        .geojson
    )
    count = Event.objects.count()
    response = client.post(
        url,
        {
            "kind": "parcel",
            "name": asset.name,
            "village": asset.village_id,
            "owner": asset.owner_id,
            "geometry": bowtie,
            "land_use": asset.land_use,
            "status": asset.status,
        },
    )
    assert response.status_code == 200
    assert "geometry" in response.context["adminform"].form.errors
    assert Event.objects.count() == count


def test_supervisors_may_view_but_not_change_assets(client, demo_user):
    client.force_login(demo_user("supervisor"))
    asset = Asset.objects.filter(village__name="东岙村").first()
    response = client.get(reverse("admin:registry_asset_change", args=[asset.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_the_event_log_is_read_only_in_the_admin(admin_client):
    event = Event.objects.first()
    response = admin_client.get(reverse("admin:trail_event_change", args=[event.pk]))
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.get(reverse("admin:trail_event_add")).status_code == 403


def test_the_project_admin_cannot_move_the_procedure(client):
    assert client.login(username="township", password=DEMO_PASSWORD)
    project = Project.objects.get(name="东岙村水渠修缮工程")
    page = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert page.status_code == 200
    form_fields = set(page.context["adminform"].form.fields)
    assert not form_fields & project_services.PROCEDURE_FIELDS
    assert reverse("staff:project", args=[project.pk]) in page.content.decode()


def test_a_renewal_is_not_made_in_the_lease_admin(admin_client):
    page = admin_client.get(reverse("admin:leasing_lease_add"))
    assert page.status_code == 200 and "renews" not in page.context["adminform"].form.fields
