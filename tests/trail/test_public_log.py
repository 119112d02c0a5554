import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from registry.models import Asset
from trail.chain import row_hash
from trail.models import DailyHead, Event

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_log.py"


def download(client) -> list[str]:
    response = client.get("/log/events.jsonl")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode().splitlines()


def run_verifier(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_head_is_json_with_the_latest_hash_and_count(client):
    data = client.get("/log/head").json()
    last = Event.objects.latest("seq")
    assert (data["head"], data["count"]) == (last.hash, Event.objects.count())


def test_the_download_alone_lets_anyone_recompute_every_hash(client):
    lines = download(client)
    assert len(lines) == Event.objects.count()
    rows = [json.loads(line) for line in lines]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(row_hash(r) == r["hash"] for r in rows)
    valued = Asset.objects.filter(book_value__isnull=False).first()
    assert f'"{valued.book_value}"' not in "".join(lines)  # restricted values never appear


def test_the_verifier_accepts_the_real_download_and_its_head(client, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(download(client)) + "\n", encoding="utf-8")
    head = client.get("/log/head").json()["head"]
    result = run_verifier(path, "--head", head)
    assert result.returncode == 0, result.stderr
    assert head in result.stdout


@pytest.mark.parametrize("tamper", ["change", "delete", "insert", "reorder", "wrong-head"])
def test_the_verifier_names_the_first_bad_line(client, tmp_path, tamper):
    lines = download(client)
    args: tuple[str, ...] = ()
    if tamper == "change":
        row = json.loads(lines[9])
        row["actor"] = "someone-else"
        lines[9] = json.dumps(row, ensure_ascii=False)
    elif tamper == "delete":
        del lines[9]
    elif tamper == "insert":
        lines.insert(9, lines[9])
    elif tamper == "reorder":
        lines[9], lines[10] = lines[10], lines[9]
    else:
        args = ("--head", "f" * 64)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_verifier(path, *args)
    assert result.returncode == 1
    expected = {"insert": "line 11", "wrong-head": "not at the expected head"}
    assert expected.get(tamper, "line 10") in result.stderr


def test_each_days_head_is_kept(client):
    last = Event.objects.latest("seq")
    kept = DailyHead.objects.order_by("-day").first()
    assert (kept.seq, kept.hash) == (last.seq, last.hash)
    assert last.hash in client.get("/log/heads").content.decode()


def listed_seqs(html: str) -> list[int]:
    """The events a log page lists, by the '#seq hash' line of each row."""
    return [int(seq) for seq in re.findall(r'<p class="mono small">#(\d+) [0-9a-f]{64}</p>', html)]


def test_the_log_page_filters_by_village(client):
    everything = listed_seqs(client.get("/log/").content.decode())
    response = client.get("/log/", {"village": "330381102201", "subject": "asset"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "步步留痕" in html
    wanted = Event.objects.filter(unit__code="330381102201", subject_type__model="asset")
    expected = list(wanted.order_by("-seq").values_list("seq", flat=True)[:50])
    assert expected
    assert listed_seqs(html) == expected
    assert set(everything) - set(wanted.values_list("seq", flat=True))  # others are left out
