"""The plaque page reads its summary aloud with the phone's own Chinese voice, and hides the
button where the browser has none."""

import pytest

from projects.models import Project
from qr.models import ElectronicId

pytestmark = pytest.mark.e2e

# A browser with one Chinese voice whose speech is written down instead of played.
CHINESE_VOICE = """
window.__spoken = [];
const voice = {lang: "zh-CN", name: "Test Chinese", default: true, localService: true};
Object.defineProperty(window.speechSynthesis, "getVoices", {value: () => [voice]});
Object.defineProperty(window.speechSynthesis, "speak", {
  value: (u) => { window.__spoken.push([u.text, u.lang]); if (u.onend) u.onend(); }
});
"""
NO_VOICE = """
Object.defineProperty(window.speechSynthesis, "getVoices", {value: () => []});
"""


def _plaque(demo_server) -> str:
    project = Project.objects.filter(contract_amount__isnull=False).first()
    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    return f"{demo_server.url}/e/{eid.code}"


def test_the_summary_is_read_aloud_in_chinese(demo_server, phone):
    phone.add_init_script(CHINESE_VOICE)
    phone.goto(_plaque(demo_server))
    button = phone.locator("[data-read-aloud]")
    button.wait_for(state="visible")
    button.click()
    phone.wait_for_function("() => window.__spoken.length === 1")
    text, lang = phone.evaluate("() => window.__spoken[0]")
    assert lang == "zh-CN"
    assert text == button.get_attribute("data-text")
    assert "进度" in text  # Chinese, as the page


def test_without_a_chinese_voice_there_is_no_button(demo_server, phone):
    phone.add_init_script(NO_VOICE)
    phone.goto(_plaque(demo_server))
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-read-aloud]").is_hidden()
