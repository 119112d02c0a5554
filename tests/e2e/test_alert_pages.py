"""A village supervisor on a phone opens the warnings of their villages from "my work", opens one,
and dismisses it with a reason; the reason goes to the public log."""

import pytest

from alerts.models import Alert, AlertState, Level
from tests.alerts.test_pages import DONGAO, make_alert
from tests.e2e.conftest import log_in, screenshot
from trail.models import Event

pytestmark = pytest.mark.e2e

REASON = "经核实，合同增项已经村民代表会议表决并公示，不属于问题。"


def test_a_supervisor_dismisses_a_warning_with_a_reason_on_the_phone(demo_server, phone):
    alert = make_alert(DONGAO, level=Level.RED, label="东岙村 演示预警")
    log_in(phone, demo_server.url, "supervisor")

    phone.goto(f"{demo_server.url}/field/")
    phone.locator("#warnings a.al-more").click()
    phone.wait_for_url(f"{demo_server.url}/alerts/")
    row = phone.locator(f'.al-rows a[href="/alerts/{alert.pk}/"]')
    assert row.is_visible()
    assert phone.locator(".al-rows > li").first.get_attribute("class") == "al-level-red"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    screenshot(phone, "alerts-list-390")

    row.click()
    phone.wait_for_url(f"**/alerts/{alert.pk}/")
    assert "东岙村 演示预警" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("details.al-dismiss summary")
    phone.fill("details.al-dismiss textarea[name=reason]", REASON)
    screenshot(phone, "alert-dismiss-390")
    phone.click("details.al-dismiss button[type=submit]")
    phone.wait_for_selector("#state .al-state-dismissed")  # the panel came back, dismissed
    assert REASON in phone.inner_text("#alert-panel")
    assert phone.locator("details.al-dismiss").count() == 0  # nothing left to do
    screenshot(phone, "alert-dismissed-390")

    alert.refresh_from_db()
    assert alert.state == AlertState.DISMISSED and alert.dismiss_reason == REASON
    event = Event.objects.filter(action=Event.Action.WARNING).order_by("-seq").first()
    assert event.changes["dismiss_reason"] == REASON

    phone.goto(f"{demo_server.url}/alerts/")
    assert phone.locator(f'.al-rows a[href="/alerts/{alert.pk}/"]').count() == 0
    assert Alert.objects.filter(pk=alert.pk, state=AlertState.DISMISSED).exists()
