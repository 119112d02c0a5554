"""Every state change of a case is in the public log, without personal data."""

import json

from supervision import services
from supervision.models import Case, State
from trail.models import Event


def test_each_move_is_logged_without_the_report_or_the_reporter(report, demo_user):
    secret = "王五家的院子里堆着集体的钢材，他的电话13912345678。"
    contact = {"name": "赵六", "phone": "13800001111", "email": "zhao@example.cn"}
    case = report(text=secret, identity=Case.Identity.CONFIDENTIAL, contact=contact).case
    services.move(case, to=State.ACCEPTED, actor=demo_user("supervisor"))
    events = Event.objects.filter(subject_type__model="case", subject_id=case.pk).order_by("seq")
    assert [e.changes["state"] for e in events] == ["received", "accepted"]
    logged = json.dumps([e.changes for e in events], ensure_ascii=False)
    for private in (secret, "王五", "赵六", "13800001111", "zhao@example.cn", "confidential"):
        assert private not in logged


def test_the_log_page_lists_cases_and_links_each_to_its_public_page(client, report):
    case = report().case
    page = client.get("/log/", {"subject": "case"}).content.decode()
    assert f"/supervision/cases/{case.pk}/" in page
    assert "/projects/" not in page  # only cases under this filter
