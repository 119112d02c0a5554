"""A station member moves a case and adds an evidence photo with no signal; back online, the
outbox sends both, and the case moves once (field app, offline like everything there)."""

import pytest
from django.urls import reverse

from supervision.models import Case, CasePhoto, CaseState, State
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_offline import BADGE, back_online, outbox_keys
from tests.supervision.conftest import jpeg

pytestmark = pytest.mark.e2e

# The outbox badge sits above the tab bar, and a tap on each tab reaches the tab.
TABS_FREE = """
() => {
  const badge = document.querySelector("#outbox-status").getBoundingClientRect();
  const bar = document.querySelector(".tabbar").getBoundingClientRect();
  return badge.bottom <= bar.top + 0.5 && [...document.querySelectorAll(".tabbar a")].every((a) => {
    const r = a.getBoundingClientRect();
    return a.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
  });
}
"""


def test_a_case_moved_offline_is_sent_once_when_back_online(demo_server, phone):
    base = demo_server.url
    case = Case.objects.filter(
        village__code="330381102201", route="station", state=State.VERIFYING
    ).first()
    page = f"/field/cases/{case.pk}/"
    phone.goto(f"{base}{reverse('fieldapp:login')}?next={page}")
    phone.fill("input[name=username]", "supervisor")
    phone.fill("input[name=password]", DEMO_PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_url(f"**{page}")
    phone.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    phone.goto(f"{base}{page}")

    phone.context.set_offline(True)
    phone.click("details:has(form[action$='/photos/']) summary")
    phone.check("form[action$='/photos/'] input[name=purpose][value=verify]")
    phone.set_input_files(
        "form[action$='/photos/'] input[type=file]",
        files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
    )
    phone.wait_for_function("() => !document.querySelector('[data-busy]')")
    phone.click("form[action$='/photos/'] button[type=submit]")
    phone.wait_for_selector(f'{BADGE}[data-count="1"]', state="visible")
    phone.click("details.move-found summary")
    phone.fill("details.move-found [name=reason]", "现场核实，问题属实。")
    phone.click("details.move-found button[type=submit]")
    phone.wait_for_selector(f'{BADGE}[data-count="2"]', state="visible")
    assert len(outbox_keys(phone)) == 2
    assert phone.evaluate(TABS_FREE), "the outbox badge covers the tab bar"
    assert Case.objects.get(pk=case.pk).state == State.VERIFYING
    screenshot(phone, "field-case-offline-390")

    back_online(phone)
    assert Case.objects.get(pk=case.pk).state == State.FOUND
    assert CaseState.objects.filter(case=case, state=State.FOUND).count() == 1
    assert CasePhoto.objects.filter(case=case, purpose="verify").count() == 1
