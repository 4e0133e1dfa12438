"""The public surface: `evaluate` chooses the version the way the CLI does."""

from __future__ import annotations

import json

from click.testing import CliRunner

from verordening_engine import evaluate
from verordening_engine.cli import main

from .conftest import REGELS, SCENARIOS

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
