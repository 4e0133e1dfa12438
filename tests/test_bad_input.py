"""Bad rule files and bad case files: a located message, exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import load_regelset_folder
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError

from .conftest import ROOT, SCENARIOS


def validate(folder: Path) -> VerordeningError:
    with pytest.raises(VerordeningError) as info:
        load_regelset_folder(folder)
    return info.value


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_broken_expression_is_located(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "als: aanvraag.eigen_kracht_volstaat", "als: aanvraag.eigen_kracht_volstaat +")
    error = validate(regels_copy)
    [problem] = error.problems
    assert problem.file.endswith("hoofdstuk-2-wmo.yaml")
    assert problem.line == line_of(chapter, "aanvraag.eigen_kracht_volstaat +")
    assert problem.field.endswith(".als")
    assert "syntax error" in problem.message


def test_type_error_found_at_load_not_at_evaluation(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "als: aanvraag.mantelzorg_volstaat", "als: aanvraag.mantelzorg_volstaat > 3")
    [problem] = validate(regels_copy).problems
    assert "cannot compare waarheid with getal" in problem.message
    assert problem.line == line_of(chapter, "mantelzorg_volstaat > 3")


def test_unknown_key_and_unknown_fact_all_reported(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(
        chapter,
        "    titel: Criteria voor een maatwerkvoorziening",
        "    titel: Criteria voor een maatwerkvoorziening\n    titl: typo",
    )
    params = regels_copy / "parameters.yaml"
    edit(params, 'waarde: "21.80"', "waarde: 21.80")
    problems = validate(regels_copy).problems
    messages = [(Path(p.file).name, p.message) for p in problems]
    assert ("hoofdstuk-2-wmo.yaml", "unknown key (not part of this file's format)") in messages
    # the money value is a float in YAML: refused with a hint, not silently rounded
    assert any(name == "parameters.yaml" and "two decimals" in msg for name, msg in messages)


def test_unknown_reference_to_rule_and_voorziening(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "uitzondering_op: [av-bijdrage]", "uitzondering_op: [av-bijdrag]")
    edit(chapter, "voor: {kenmerk: rolstoel}", "voor: {ids: [driewielfiets]}")
    messages = {p.message for p in validate(regels_copy).problems}
    assert "unknown rule 'av-bijdrag'" in messages
    assert "voorziening 'driewielfiets' is not in the catalogue" in messages


def test_priority_cycle_is_refused(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(
        chapter,
        "uitzondering_op: [av-bijdrage]",
        "uitzondering_op: [av-bijdrage]\n        gaat_voor: []",
    )
    edit(
        chapter,
        "          bedrag: min(voorziening.tarief, voorziening.kostprijs)",
        "          bedrag: min(voorziening.tarief, voorziening.kostprijs)\n"
        "        gaat_voor: [av-vrijstelling-minima]",
    )
    messages = [p.message for p in validate(regels_copy).problems]
    assert any("priorities form a cycle" in m for m in messages)


def test_derived_fact_cycle_is_refused(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    old = "ingangsdatum_ondersteuning: max(peildatum, datum_meerderjarig)"
    edit(chapter, old, old[:-1] + ", ingangsdatum_ondersteuning)")
    messages = [p.message for p in validate(regels_copy).problems]
    assert any("cycle" in m and "ingangsdatum_ondersteuning" in m for m in messages), messages


def test_malformed_yaml_is_located(regels_copy: Path) -> None:
    (regels_copy / "voorzieningen.yaml").write_text("voorzieningen:\n  - id: [unclosed\n", "utf-8")
    [problem] = validate(regels_copy).problems
    assert problem.file.endswith("voorzieningen.yaml")
    assert problem.line is not None
    assert "not valid YAML" in problem.message


def test_duplicate_key_is_an_error(regels_copy: Path) -> None:
    meta = regels_copy / "regelset.yaml"
    edit(meta, "status: vastgesteld", "status: vastgesteld\nstatus: concept")
    [problem] = validate(regels_copy).problems
    assert "duplicate key 'status'" in problem.message
    assert problem.line == line_of(meta, "status: concept")


def test_alias_bomb_is_stopped(regels_copy: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    (regels_copy / "begrippen.yaml").write_text(bomb, "utf-8")
    messages = [p.message for p in validate(regels_copy).problems]
    assert any("alias expansion" in m for m in messages)


def test_cli_validate_broken_regelset_exit_2(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "als: aanvraag.sociaal_netwerk_volstaat", "als: sociaal_netwerk")
    result = CliRunner().invoke(main, ["validate", str(regels_copy.parent.parent)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    line = line_of(chapter, "als: sociaal_netwerk")
    assert f"hoofdstuk-2-wmo.yaml:{line}:" in result.output
    assert "unknown name 'sociaal_netwerk'" in result.output


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


def test_scenarios_folder_exists() -> None:
    assert len(list(SCENARIOS.glob("*.yaml"))) >= 12
