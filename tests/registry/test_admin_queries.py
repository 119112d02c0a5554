"""Every admin list costs a bounded number of queries, whatever rows it shows (as NetBox keeps
query budgets): a query per row shows up here with the demo's hundreds of rows."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

BUDGET = 20  # session, user, permissions, counts, filters, the page: never one per row

LISTS = sorted(
    f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry
)


@pytest.fixture
def root(client):
    user = User.objects.create_superuser("admin-queries", password="x-long-password-1")
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", LISTS)
def test_an_admin_list_stays_within_its_query_budget(root, name):
    url = reverse(f"admin:{name}_changelist")
    with CaptureQueriesContext(connection) as captured:
        response = root.get(url)
    assert response.status_code == 200
    rows = response.context["cl"].result_count if response.context else 0
    assert len(captured) <= BUDGET, (name, rows, len(captured))
