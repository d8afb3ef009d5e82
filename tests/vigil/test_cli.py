from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ingest.quarantine import Quarantine, QuarantineEntry

ROOT = Path(__file__).resolve().parents[2]


def vigil(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigil", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=120,
        check=False,
    )


def test_help_lists_every_command_with_a_description() -> None:
    result = vigil("--help")
    assert result.returncode == 0, result.stderr
    panel = result.stdout.split("Commands", 1)[1]
    rows = [re.match(r"│ (\S+)\s{2,}(.+?)\s*│$", line) for line in panel.splitlines()]
    described = {row[1]: row[2] for row in rows if row}
    for command in ("demo", "ingest", "quarantine", "simulate", "keys", "models"):
        assert command in described, f"{command} missing from vigil --help"
    for command, description in described.items():
        assert len(description) > 10, f"{command} has no one-line description"


def test_bad_setting_fails_at_start_with_a_clear_message() -> None:
    result = vigil("ingest", env={"VIGIL_MQTT_URL": "broker:1883"})
    assert result.returncode == 2
    assert "VIGIL_MQTT_URL: expected mqtt://" in result.stderr
    assert "Traceback" not in result.stderr


def test_quarantine_json_reports_counts_by_reason(tmp_path: Path) -> None:
    quarantine = Quarantine(tmp_path / "quarantine.db")
    quarantine.add_many(
        [
            QuarantineEntry(1, "invalid_json", "x", "vigil/s/a/telemetry", b"{"),
            QuarantineEntry(2, "invalid_json", "x", "vigil/s/a/telemetry", b"{{"),
            QuarantineEntry(3, "not_utf8", "x", "vigil/s/a/telemetry", b"\xff"),
        ]
    )
    quarantine.close()
    result = vigil("quarantine", "--json", env={"VIGIL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"] == {"invalid_json": 2, "not_utf8": 1}
    assert report["total"] == 3
    assert report["messages"][0]["reason"] == "not_utf8"
    table = vigil("quarantine", env={"VIGIL_DATA_DIR": str(tmp_path)})
    assert "invalid_json" in table.stdout
    assert "3 messages" in table.stdout
