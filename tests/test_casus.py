"""Case files: reading and binding to a regelset; bad cases give a located message, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.cli import main

from .conftest import ROOT

BAD_CASES = {
    "wrong type": (
        "beperking_vastgesteld: true",
        "beperking_vastgesteld: 'ja'",
        "expected true or false",
    ),
    "unknown fact": (
        "beperking_vastgesteld: true",
        "beperking_vastgezet: true",
        "unknown fact for aanvraag",
    ),
    "impossible date": ("peildatum: 2026-05-01", "peildatum: 2026-02-30", "peildatum"),
    "unknown voorziening": (
        "voorziening: huishoudelijke_ondersteuning",
        "voorziening: tuinonderhoud",
        "unknown voorziening 'tuinonderhoud'",
    ),
    "misplaced key": ("casus: slecht", "casus: slecht\nextra: 1", "unknown key"),
}
CASE = """casus: slecht
peildatum: 2026-05-01
huishouden:
  leden:
    - {id: p1, geboortedatum: 1950-01-01, rol: aanvrager}
  feiten: {inkomen_pct_sociaal_minimum: 150}
aanvragen:
  - id: a1
    persoon: p1
    voorziening: huishoudelijke_ondersteuning
    feiten:
      beperking_vastgesteld: true
"""


@pytest.mark.parametrize("kind", sorted(BAD_CASES))
def test_cli_bad_case_exit_2_located(kind: str, tmp_path: Path) -> None:
    old, new, fragment = BAD_CASES[kind]
    assert old in CASE
    case = tmp_path / "casus.yaml"
    case.write_text(CASE.replace(old, new, 1), "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "evaluate", str(case)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{case}:" in result.output
    assert fragment in result.output


def test_missing_required_fact_is_reported(tmp_path: Path) -> None:
    case = tmp_path / "casus.yaml"
    case.write_text(CASE.replace("  feiten: {inkomen_pct_sociaal_minimum: 150}\n", ""), "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "evaluate", str(case)])
    assert result.exit_code == 2
    assert "huishouden.inkomen_pct_sociaal_minimum" in result.output


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    case = tmp_path / "casus.yaml"
    case.write_text("casus: [\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "verordening_engine", "evaluate", str(case)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert f"{case}:2" in proc.stderr


def test_peildatum_without_version_is_clear(tmp_path: Path) -> None:
    case = tmp_path / "casus.yaml"
    case.write_text(CASE.replace("peildatum: 2026-05-01", "peildatum: 2019-05-01"), "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "evaluate", str(case)])
    assert result.exit_code == 2
    assert "no vastgesteld version is in force on 2019-05-01" in result.output
