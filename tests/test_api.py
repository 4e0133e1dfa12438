"""The public surface: `evaluate` chooses the version the way the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from verordening_engine import evaluate
from verordening_engine.api import load_regelset_folder
from verordening_engine.cli import main

from .conftest import REGELS, SCENARIOS, draft_over_copy

CONCEPT_CASE = SCENARIOS / "v2027-02-inkomensafhankelijke-bijdrage.yaml"


def test_library_honours_the_cases_own_versie_like_the_cli() -> None:
    document = evaluate(CONCEPT_CASE, regels=REGELS)
    assert document.verordening.versie == "2027-01-01"
    result = CliRunner().invoke(
        main, ["--regels", str(REGELS), "evaluate", str(CONCEPT_CASE), "--format", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.output)["verordening"]["versie"] == "2027-01-01"
    assert document.model_dump(mode="json") == json.loads(result.output)


def test_versie_argument_overrides_the_cases_own() -> None:
    document = evaluate(CONCEPT_CASE, regels=REGELS, versie="2026-04-01")
    assert document.verordening.versie == "2026-04-01"


def test_a_long_running_process_sees_an_edit_of_a_drafts_base(tmp_path: Path) -> None:
    """A service keeps compiled versions in memory; a draft states only its changes, so when
    the base it amends is edited, the next load of the draft must decide with the new base."""
    base, draft = draft_over_copy(tmp_path)
    case = SCENARIOS / "wi-01-iit-alleenstaande-toegekend.yaml"

    def toeslag() -> str:
        document = load_regelset_folder(draft).evaluate(case, buiten_geldigheid=True)
        return str(document.besluiten[0].vaststellingen["bedrag"])

    assert toeslag() == "400.00"
    assert load_regelset_folder(draft) is load_regelset_folder(draft)  # unchanged: reused
    parameters = base / "parameters-werk-inkomen.yaml"
    text = parameters.read_text("utf-8")
    edited = text.replace('waarde: "400.00"', 'waarde: "600.00"', 1)
    assert edited != text
    parameters.write_text(edited, "utf-8")
    assert toeslag() == "600.00"
