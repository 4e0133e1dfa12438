"""The decision document: its JSON fields, its views, schemas and engine behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine import schemas
from verordening_engine.api import Regelset, load_regelset_folder
from verordening_engine.cli import main
from verordening_engine.errors import EvaluationError

from .conftest import REGELS, ROOT, SCENARIOS, edit

CASE = {
    "casus": "uitvoer",
    "peildatum": "2026-06-01",
    "huishouden": {
        "leden": [{"id": "p1", "geboortedatum": "1949-02-03", "rol": "aanvrager"}],
        "feiten": {"inkomen_pct_sociaal_minimum": 160},
    },
    "aanvragen": [
        {
            "id": "a1",
            "persoon": "p1",
            "voorziening": "huishoudelijke_ondersteuning",
            "feiten": {
                "beperking_vastgesteld": True,
                "meldingsdatum": "2026-05-01",
                "aanvraagdatum": "2026-05-18",
            },
        },
        {"id": "a2", "persoon": "p1", "voorziening": "wasservice"},
    ],
}


def test_json_has_the_promised_fields(tmp_path: Path) -> None:
    case = tmp_path / "casus.json"
    case.write_text(json.dumps(CASE), "utf-8")
    result = CliRunner().invoke(
        main, ["--regels", str(REGELS), "evaluate", str(case), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) >= {"casus", "peildatum", "verordening", "engine", "besluiten"}
    assert set(doc["verordening"]) == {"id", "versie", "status", "sha256"}
    assert len(doc["verordening"]["sha256"]) == 64
    hulp, was = doc["besluiten"]
    assert hulp["uitkomst"] == "toegekend"
    assert hulp["eigen_bijdrage"] == {"bedrag": "21.80", "per": "maand"}
    # wasservice: tarief 12.50 capped at kostprijs 9.75
    assert was["eigen_bijdrage"] == {"bedrag": "9.75", "per": "keer"}
    step = hulp["artikelen"][0]
    assert set(step) >= {
        "artikel",
        "titel",
        "grondslag",
        "toegepast",
        "feiten",
        "conclusie",
        "zin",
        "waarom_niet",
    }
    not_applied = [s for s in hulp["artikelen"] if not s["toegepast"]]
    assert not_applied and all(s["waarom_niet"].startswith("niet voldaan aan") for s in not_applied)
    assert all(
        isinstance(v, bool | int | str) for s in hulp["artikelen"] for v in s["feiten"].values()
    )


def test_markdown_and_terminal_show_the_same_articles(tmp_path: Path) -> None:
    case = tmp_path / "casus.json"
    case.write_text(json.dumps(CASE), "utf-8")
    runner = CliRunner()
    args = ["--regels", str(REGELS), "evaluate", str(case)]
    as_json = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    markdown = runner.invoke(main, [*args, "--format", "markdown"]).output
    terminal = runner.invoke(main, args, env={"COLUMNS": "300"}).output
    for besluit in as_json["besluiten"]:
        for step in besluit["artikelen"]:
            assert f"Artikel {step['artikel']} {step['titel']}" in markdown
            assert step["zin"] in markdown
            assert step["zin"][:60] in terminal


def test_schemas_match_models() -> None:
    assert schemas.drift(ROOT / "schemas") == []


def test_schema_drift_is_detected(tmp_path: Path) -> None:
    schemas.write(tmp_path)
    (tmp_path / "casus.schema.json").write_text("{}\n", "utf-8")
    assert schemas.drift(tmp_path) == ["casus.schema.json"]


def test_example_files_carry_schema_modeline() -> None:
    files = [*sorted((REGELS / "dordrecht").rglob("*.yaml")), *sorted(SCENARIOS.glob("*.yaml"))]
    for file in files:
        assert file.read_text("utf-8").startswith("# yaml-language-server: $schema="), file


def test_unsettled_conflict_is_reported_not_resolved(regels_copy: Path) -> None:
    # remove the priority that lets eigen kracht go before the algemene voorziening
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    text = chapter.read_text("utf-8")
    start = text.index("      - id: wmo-eigen-kracht")
    end = text.index("      - id: wmo-algemeen-gebruikelijk")
    chapter.write_text(
        text[:start]
        + text[start:end].replace("        gaat_voor: [wmo-algemene-voorziening]\n", "")
        + text[end:],
        "utf-8",
    )
    rs = load_regelset_folder(regels_copy)
    case = {
        **CASE,
        "aanvragen": [
            {
                "id": "a1",
                "persoon": "p1",
                "voorziening": "huishoudelijke_ondersteuning",
                "feiten": {
                    "beperking_vastgesteld": True,
                    "eigen_kracht_volstaat": True,
                    "algemene_voorziening_volstaat": True,
                    "passende_algemene_voorziening": "wasservice",
                    "meldingsdatum": "2026-05-01",
                    "aanvraagdatum": "2026-05-18",
                },
            }
        ],
    }
    [besluit] = rs.evaluate(case).besluiten
    assert besluit.uitkomst is None
    assert besluit.problemen and "conflict" in besluit.problemen[0]
    assert "wmo-eigen-kracht" in besluit.problemen[0]


def test_exception_sets_base_rule_aside(regelset: Regelset) -> None:
    case = {
        **CASE,
        "aanvragen": [
            {
                "id": "a1",
                "persoon": "p1",
                "voorziening": "huishoudelijke_ondersteuning",
                "feiten": {
                    "beperking_vastgesteld": True,
                    "mantelzorg_volstaat": True,
                    "meldingsdatum": "2026-05-01",
                    "aanvraagdatum": "2026-05-18",
                },
            }
        ],
    }
    [besluit] = regelset.evaluate(case).besluiten
    assert besluit.uitkomst is not None and besluit.uitkomst.value == "afgewezen"
    steps = {s.regel: s for s in besluit.artikelen}
    assert steps["wmo-toekenning"].status == "opzij_gezet"
    assert steps["wmo-toekenning"].opzij_gezet_door == "wmo-mantelzorg"
    assert steps["wmo-mantelzorg"].status == "beslissend"


def test_guarded_partner_read_without_partner(regelset: Regelset) -> None:
    # partner.* is read only behind huishouden.heeft_partner: a single person evaluates fine
    [besluit, _] = regelset.evaluate(CASE).besluiten
    steps = {s.regel: s for s in besluit.artikelen}
    assert steps["vrijstelling-partner-onder-aow"].toegepast is False


def test_unguarded_partner_read_fails_loudly(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "huishouden.heeft_partner and (leeftijd_maanden", "(leeftijd_maanden")
    rs = load_regelset_folder(regels_copy)
    with pytest.raises(EvaluationError, match=r"partner\.geboortedatum"):
        rs.evaluate(CASE)
