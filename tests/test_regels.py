"""Rule files: loading, validation and compilation; bad rule files give a located message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import load_regelset_folder
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError

from .conftest import SCENARIOS, edit, line_of


def validate(folder: Path) -> VerordeningError:
    with pytest.raises(VerordeningError) as info:
        load_regelset_folder(folder)
    return info.value


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


def test_cli_validate_broken_regelset_exit_2(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "als: aanvraag.sociaal_netwerk_volstaat", "als: sociaal_netwerk")
    result = CliRunner().invoke(main, ["validate", str(regels_copy.parent.parent)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    line = line_of(chapter, "als: sociaal_netwerk")
    assert f"hoofdstuk-2-wmo.yaml:{line}:" in result.output
    assert "unknown name 'sociaal_netwerk'" in result.output


def test_scenarios_folder_exists() -> None:
    assert len(list(SCENARIOS.glob("*.yaml"))) >= 12
