"""The README's demo command, run as a newcomer runs it: `./scripts/demo` with no arguments, in a
fresh copy of the repository, from that copy's folder, with the default (relative) data dir.

The copy holds the files git tracks or would track, as they are in this working tree, so an
uncommitted change is tested too; nothing of this checkout's `.venv` or `var/` comes along.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = re.compile(r"Dashboard: (http://\S+)\s+sign-in key: (\S+)")


def fresh_copy(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def run_until_dashboard(copy: Path, log: Path, timeout: float) -> tuple[str, float]:
    """Start ./scripts/demo, wait for its dashboard to answer, stop it with Ctrl-C.

    Returns everything it printed and how long the dashboard took to answer.
    """
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["./scripts/demo"],
            cwd=copy,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "200"},
            start_new_session=True,
        )
        try:
            answered = None
            while answered is None and time.monotonic() - started < timeout:
                assert proc.poll() is None, "demo exited early:\n" + log.read_text()[-4000:]
                found = DASHBOARD.search(log.read_text(errors="replace"))
                if found:
                    try:
                        page = httpx.get(
                            found[1] + "/",
                            headers={"Authorization": f"Bearer {found[2]}"},
                            timeout=5,
                            follow_redirects=True,
                        )
                        if page.status_code == 200:
                            answered = time.monotonic() - started
                    except httpx.HTTPError:
                        pass
                time.sleep(0.5)
            assert answered is not None, "no dashboard in time:\n" + log.read_text()[-4000:]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)
    printed = log.read_text(errors="replace")
    assert proc.returncode == 0, f"demo exited {proc.returncode}:\n{printed[-4000:]}"
    return printed, answered


@pytest.mark.slow
def test_readme_demo_in_a_fresh_copy_reaches_its_dashboard_twice(tmp_path: Path) -> None:
    copy = fresh_copy(tmp_path / "vigil")
    first, _ = run_until_dashboard(copy, tmp_path / "first.log", timeout=600)
    assert "installing Vigil" in first
    # The relative default data dir is the copy's own var/demo, whatever the broker's cwd.
    assert (copy / "var" / "demo" / "vigil.db").exists(), first[-3000:]
    assert "Unable to open config file" not in first
    # The install prints no warnings of the build tools (deprecated license table and the like).
    assert not re.search(r"(?i)deprecat|BuildBackendWarning|SetuptoolsWarning", first), first

    second, _ = run_until_dashboard(copy, tmp_path / "second.log", timeout=120)
    assert "installing Vigil" not in second, second[-3000:]
    assert "creating .venv" not in second
