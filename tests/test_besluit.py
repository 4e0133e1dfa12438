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
    # why not: in words for people, the condition as written for the technical trace
    assert not_applied and all(
        s["waarom_niet"].startswith("Niet van toepassing") for s in not_applied
    )
    assert all(s["voorwaarde"] for s in not_applied)
    assert all(
        s["id"] == f"{doc['verordening']['id']}/2026-04-01/{s['regel']}" for s in hulp["artikelen"]
    )
    used = [f for s in hulp["artikelen"] for f in s["gebruikte_feiten"]]
    assert used and all(f["label"] and f["tekst"] for f in used)
    assert all(
        isinstance(v, bool | int | str) for s in hulp["artikelen"] for v in s["feiten"].values()
    )


def test_views_show_the_deciding_articles_first_and_every_step_in_full(tmp_path: Path) -> None:
    case = tmp_path / "casus.json"
    case.write_text(json.dumps(CASE), "utf-8")
    runner = CliRunner()
    args = ["--regels", str(REGELS), "evaluate", str(case)]
    as_json = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    markdown = runner.invoke(main, [*args, "--format", "markdown"]).output
    terminal = runner.invoke(main, args, env={"COLUMNS": "300"}).output
    full = runner.invoke(main, [*args, "--volledig"], env={"COLUMNS": "300"}).output
    for besluit in as_json["besluiten"]:
        deciding = [
            s
            for s in besluit["artikelen"]
            if s["status"] == "beslissend" and s["soort"] != "termijn"
        ]
        assert deciding
        for step in deciding:
            assert f"Artikel {step['artikel']} {step['titel']}" in markdown
            assert step["zin"] in markdown
            assert step["zin"][:60] in terminal
        for step in besluit["artikelen"]:
            assert step["zin"][:60] in full
    assert "Ook getoetst: 1.2, 1.3" in terminal
    assert "Ook getoetst: artikel 1.2, 1.3" in markdown
    assert "niet van toepassing" not in terminal  # the default view shows what decided
    assert "niet van toepassing" in full


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
                    "draagkracht_draaglast_inwoner": "in_balans",
                    "algemene_voorziening_volstaat": True,
                    "algemene_voorziening_betaalbaar": True,
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
                    "mantelzorger_kan_en_wil": True,
                    "draagkracht_draaglast_netwerk": "in_balans",
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
    edit(chapter, "huishouden.heeft_partner and (peildatum <", "(peildatum <")
    rs = load_regelset_folder(regels_copy)
    with pytest.raises(EvaluationError, match=r"partner\.geboortedatum"):
        rs.evaluate(CASE)


# ---------------------------------------------------------------- one Wmo bijdrage per household


def _ho(aanvraag_id: str, persoon: str) -> dict[str, object]:
    return {
        "id": aanvraag_id,
        "persoon": persoon,
        "voorziening": "huishoudelijke_ondersteuning",
        "feiten": {
            "beperking_vastgesteld": True,
            "meldingsdatum": "2026-05-01",
            "aanvraagdatum": "2026-05-18",
        },
    }


def test_couple_pays_one_abonnementstarief_for_all_maatwerk(regelset: Regelset) -> None:
    """Wmo 2015 art. 2.1.4a lid 4: one amount per month for the client and spouse together."""
    doc = regelset.evaluate(SCENARIOS / "recht-12-echtpaar-een-bijdrage.yaml")
    [unit] = doc.huishouden_bijdrage
    assert (unit.bedrag, unit.per) == ("21.80", "maand")
    assert unit.personen == ["jan", "els"]
    assert unit.besluiten == ["scootmobiel-jan", "ho-els"]
    assert any(g.artikel == "2.1.4a" and g.lid == 4 for g in unit.grondslag)
    for besluit in doc.besluiten:
        assert besluit.eigen_bijdrage is not None and besluit.eigen_bijdrage.bedrag == "21.80"
        assert besluit.huishouden_bijdrage == unit.id
        assert besluit.bijdrage_toelichting and "niet bovenop" in besluit.bijdrage_toelichting
    total = sum(int(u.bedrag.replace(".", "")) for u in doc.huishouden_bijdrage)
    assert total == 2180  # counted once, not 43.60


def test_adult_child_is_a_client_unit_of_its_own(regelset: Regelset) -> None:
    case = {
        "casus": "twee-eenheden",
        "peildatum": "2026-06-01",
        "huishouden": {
            "leden": [
                {"id": "moeder", "geboortedatum": "1950-02-03", "rol": "aanvrager"},
                {"id": "zoon", "geboortedatum": "1990-07-07", "rol": "kind"},
            ],
            "feiten": {"inkomen_pct_sociaal_minimum": 160},
        },
        "aanvragen": [_ho("a1", "moeder"), _ho("a2", "zoon")],
    }
    doc = regelset.evaluate(case)
    assert [u.personen for u in doc.huishouden_bijdrage] == [["moeder"], ["zoon"]]
    assert [b.huishouden_bijdrage for b in doc.besluiten] == ["bijdrage-moeder", "bijdrage-zoon"]


def test_no_household_amount_when_nothing_is_due(regelset: Regelset) -> None:
    doc = regelset.evaluate(SCENARIOS / "wmo-14-rolstoel.yaml")
    assert doc.huishouden_bijdrage == []
    assert doc.besluiten[0].huishouden_bijdrage is None
