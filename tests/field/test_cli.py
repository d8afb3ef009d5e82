"""``vigil engineers import | create | list`` on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clikit import Run, cli
from vigil.commands import engineers as engineers_commands

HEADER = "code,name,level,email,phone,base_label,latitude,longitude,time_zone,working_hours,max_open_jobs,skills,certifications\n"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli(
        tmp_path,
        monkeypatch,
        engineers_commands.register,
    )


def test_a_file_with_bad_lines_is_refused_whole_with_every_line_named(
    run: Run, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "a.martin,Anne Martin,senior,,,Lyon,45.76,4.84,Europe/Paris,,4,pump:*:3,ATEX:2027-06-30\n"
        + "b.roux,Bruno Roux,expert,,,,,,,,,,\n"
        + "c.petit,Chloé Petit,mid,,,,95.0,4.84,,,,,\n"
        + "d.blanc,Denis Blanc,mid,,,,,,Mars/Olympus,,,pump:x,\n"
        + "a.martin,Anne Again,mid,,,,,,,,,,\n"
    )
    code, _, err = run("engineers", "import", str(bad))
    assert code == 2
    lines = [line for line in err.splitlines() if ": line " in line]
    assert [line.split(": line ")[1].split(":")[0] for line in lines] == ["3", "4", "5", "6"]
    assert "level: Input should be 'junior', 'mid' or 'senior'" in err
    assert "base.latitude: Input should be less than or equal to 90" in err
    assert "skill 'pump:x' must read asset_type:fault_code:level" in err
    assert "code 'a.martin' repeats line 2" in err
    assert "nothing imported" in err
    assert run("engineers", "list")[1].count("a.martin") == 0


def test_import_create_and_list(run: Run, tmp_path: Path) -> None:
    good = tmp_path / "team.csv"
    good.write_text(
        HEADER
        + "a.martin,Anne Martin,senior,anne@example.com,,Lyon depot,45.76,4.84,Europe/Paris,,4,pump:*:3;chiller:compressor:2,ATEX:2027-06-30\n"
        + 'b.roux,Bruno Roux,junior,,,,,,UTC,"{""sat"": [[""08:00"", ""12:00""]]}",2,,\n'
    )
    code, out, err = run("engineers", "import", str(good))
    assert (code, out.strip()) == (0, f"imported 2 engineer(s) from {good}"), err
    again = run("engineers", "import", str(good))
    assert again[0] == 2
    assert "line 2: an engineer with code 'a.martin' exists already" in again[2]
    code, out, err = run(
        "engineers",
        "create",
        "--code",
        "c.petit",
        "--name",
        "Chloé Petit",
        "--skill",
        "pump:mechanical:2",
        "--latitude",
        "45.19",
        "--longitude",
        "5.72",
        "--time-zone",
        "Europe/Paris",
    )
    assert code == 0, err
    assert "created engineer 3 (c.petit)" in out
    refused = run("engineers", "create", "--code", "x", "--name", "X", "--level", "boss")
    assert refused[0] == 2
    assert "level" in refused[2]
    listing = run("engineers", "list")[1]
    for expected in (
        "a.martin",
        "pump/*:3, chiller/compressor:2",
        "Lyon depot",
        "0/4",
        "b.roux",
        "c.petit",
        "45.190,5.720",
    ):
        assert expected in listing
