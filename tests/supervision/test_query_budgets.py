"""Supervision's pages make a bounded number of queries (budgets in tests/query_counts.json),
and the lists cost the same however many cases there are."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision.models import Case

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
PUBLIC = {
    "supervision:index": "/supervision/",
    "supervision:case-list": "/supervision/cases/",
    "supervision:case-list township": "/supervision/cases/?township=330381102",
    "supervision:station-detail": "/supervision/stations/330381102201/",
    "supervision:report village": "/supervision/report/?village=330381102201",
}
FIELD = {
    "supervision:field-case-list": "/field/cases/?show=all",
}


def _case() -> Case:
    return Case.objects.filter(village__code="330381102201", route="station").first()


@pytest.mark.parametrize("page", PUBLIC)
def test_public_pages_stay_within_their_budget(client, django_assert_max_num_queries, page):
    with django_assert_max_num_queries(BUDGETS[page]):
        assert client.get(PUBLIC[page]).status_code == 200


def test_a_public_case_page_stays_within_its_budget(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGETS["supervision:case-detail"]):
        assert client.get(f"/supervision/cases/{_case().pk}/").status_code == 200


@pytest.mark.parametrize("page", FIELD)
def test_field_lists_stay_within_their_budget(
    client, demo_user, django_assert_max_num_queries, page
):
    client.force_login(demo_user("supervisor"))
    with django_assert_max_num_queries(BUDGETS[page]):
        assert client.get(FIELD[page]).status_code == 200


def test_a_field_case_page_stays_within_its_budget(
    client, demo_user, django_assert_max_num_queries
):
    client.force_login(demo_user("supervisor"))
    with django_assert_max_num_queries(BUDGETS["supervision:field-case"]):
        assert client.get(f"/field/cases/{_case().pk}/").status_code == 200


def test_the_public_case_list_costs_the_same_for_many_cases(client, report):
    with CaptureQueriesContext(connection) as few:
        client.get("/supervision/cases/")
    for number in range(30):
        report(text=f"第{number}处路面开裂，需要修补。")
    with CaptureQueriesContext(connection) as many:
        client.get("/supervision/cases/")
    assert len(many) == len(few)
