"""Explanations people can read, and what would change the outcome, over every scenario.

What a resident, a consulent and a bezwaarcommissie check: the beschikking has no rule ids,
no expression syntax and no Python values; the terminal view fits a screen; every
alternative, applied to the case and decided again, gives the outcome it states.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import evaluate, read_case
from verordening_engine.besluit import dutch
from verordening_engine.besluit.alternatives import goal
from verordening_engine.besluit.model import BesluitDocument
from verordening_engine.besluit.pointers import apply_changes
from verordening_engine.besluit.rendering import to_markdown
from verordening_engine.cli import main
from verordening_engine.reading.yaml_loading import read_document
from verordening_engine.regels.model import Begrippen

from .conftest import REGELS, SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))
RULE_FILES = sorted((REGELS / "dordrecht").rglob("hoofdstuk-*.yaml"))


@cache
def decided(file: Path) -> BesluitDocument:
    casus, _ = read_case(file)
    return evaluate(casus, regels=REGELS, versie=casus.versie)


@cache
def rule_ids() -> frozenset[str]:
    ids = set()
    for file in RULE_FILES:
        for artikel in read_document(file).data["artikelen"]:
            ids.update(r["id"] for r in artikel.get("regels", []))
    return frozenset(ids)


# expression syntax and Python values that must never reach a beschikking
SYNTAX = re.compile(
    r"==|!=|<=|>=|`|\b(True|False|None|and|or|not)\b|"
    r"\b(aanvraag|persoon|partner|huishouden|param|voorziening)\.[a-z]|\beuro\(|\b[a-z]+_[a-z]+"
)


def _prose(markdown: str) -> str:
    """The markdown without link targets (URLs carry their own syntax)."""
    return re.sub(r"\]\([^)]*\)", "]", markdown)


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_beschikking_has_no_rule_ids_syntax_or_python_values(file: Path) -> None:
    document = decided(file)
    markdown = _prose(to_markdown(document))
    assert not SYNTAX.search(markdown), SYNTAX.search(markdown)
    words = set(re.findall(r"[a-z0-9][a-z0-9_.-]*[a-z0-9]", markdown))
    assert not {i for i in rule_ids() if "-" in i or "_" in i} & words
    for besluit in document.besluiten:
        deciding = {s.zin for s in besluit.artikelen if s.status == "beslissend"}
        for step in besluit.artikelen:
            if step.status == "opzij_gezet" and step.zin not in deciding:
                assert step.zin not in markdown, f"set-aside sentence of {step.regel}"
        assert "Bezwaar" in markdown and "zes weken" in markdown


def test_terminal_view_averages_under_45_lines_per_decision_at_80_columns() -> None:
    runner = CliRunner()
    lines = decisions = 0
    for file in FILES:
        casus, _ = read_case(file)
        args = ["--regels", str(REGELS), "evaluate", str(file)]
        if casus.versie:
            args += ["--versie", casus.versie]
        result = runner.invoke(main, args, env={"COLUMNS": "80"})
        # a request that cannot be decided yet (scenarios/onvolledig-*) exits 1, never 2
        undecided = any(b.uitkomst is None for b in decided(file).besluiten)
        assert result.exit_code == (1 if undecided else 0), result.output
        assert max(len(line.rstrip()) for line in result.output.splitlines()) <= 80
        lines += len(result.output.splitlines())
        decisions += len(casus.aanvragen)
    assert lines / decisions < 45


def test_every_alternative_gives_the_outcome_it_states() -> None:
    refusals = with_alternative = 0
    for file in FILES:
        casus, _ = read_case(file)
        case = json.loads(casus.model_dump_json(by_alias=True, exclude_none=True))
        for besluit in decided(file).besluiten:
            # a refused verlaging (a sanction) is no refusal for the resident
            if goal(besluit) == "grant":
                refusals += 1
                with_alternative += bool(besluit.alternatieven)
            for alt in besluit.alternatieven:
                assert 1 <= len(alt.wijzigingen) <= 2
                for change in alt.wijzigingen:
                    assert change.pad.startswith(("/aanvragen/", "/huishouden/"))
                    assert "geboortedatum" not in change.pad and not change.pad.endswith("/id")
                    assert change.van != change.naar
                again = evaluate(
                    apply_changes(case, alt.wijzigingen), regels=REGELS, versie=casus.versie
                )
                mine = next(b for b in again.besluiten if b.aanvraag == besluit.aanvraag)
                assert (mine.uitkomst, mine.eigen_bijdrage) == (alt.uitkomst, alt.eigen_bijdrage), (
                    file.name,
                    alt.zin,
                )
                assert alt.zin.startswith("Als ") and alt.zin.endswith(".")
    assert with_alternative / refusals >= 0.8


def test_a_number_moves_to_the_nearest_value_across_the_boundary() -> None:
    # wmo-10: income 1 percentage point above the minimagrens (110%) pays the contribution
    besluit = decided(SCENARIOS / "wmo-10-net-boven-minimagrens.yaml").besluiten[0]
    income = [
        a
        for a in besluit.alternatieven
        if [c.pad for c in a.wijzigingen] == ["/huishouden/feiten/inkomen_pct_sociaal_minimum"]
    ]
    assert income, besluit.alternatieven
    change = income[0].wijzigingen[0]
    assert (change.van, change.naar) == (111, 110)
    assert income[0].eigen_bijdrage is None or income[0].eigen_bijdrage.bedrag == "0.00"
    assert "110%" in income[0].zin and "111%" in income[0].zin


def test_alternatives_are_ordered_by_size_and_deterministic() -> None:
    file = SCENARIOS / "wmo-07-mantelzorg.yaml"
    casus, _ = read_case(file)
    first = evaluate(casus, regels=REGELS).model_dump_json()
    assert evaluate(casus, regels=REGELS).model_dump_json() == first
    alternatives = decided(file).besluiten[0].alternatieven
    sizes = [len(a.wijzigingen) for a in alternatives]
    assert sizes == sorted(sizes)
    assert any(
        a.wijzigingen[0].pad.endswith("/mantelzorg_volstaat")
        and a.zin.startswith("Als mantelzorg de beperking niet oplost, wordt uw aanvraag")
        for a in alternatives
    )


def test_every_fact_has_a_label_and_yes_no_facts_a_clause_per_value() -> None:
    for file in sorted((REGELS / "dordrecht").rglob("begrippen*.yaml")):
        begrippen = Begrippen.model_validate(read_document(file).data)
        facts = [
            *begrippen.invoer.persoon.values(),
            *begrippen.invoer.huishouden.values(),
            *begrippen.invoer.aanvraag.values(),
            *begrippen.afgeleid.values(),
        ]
        for feit in facts:
            assert feit.label, file
            if feit.type.value == "waarheid":
                assert feit.waar and feit.onwaar and feit.waar != feit.onwaar


def test_a_fact_without_label_is_a_located_error(regels_copy: Path) -> None:
    begrippen = regels_copy / "begrippen.yaml"
    text = begrippen.read_text("utf-8")
    begrippen.write_text(text.replace("      label: Wlz-indicatie\n", "", 1), "utf-8")
    result = CliRunner().invoke(main, ["validate", str(regels_copy)])
    assert result.exit_code == 2
    assert "begrippen.yaml:" in result.output
    assert "invoer.persoon.wlz_indicatie" in result.output
    assert "no Dutch label" in result.output


def test_dutch_formatting_does_not_depend_on_the_machine_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for lang in ("C", "en_US.UTF-8", "de_DE.UTF-8"):
        monkeypatch.setenv("LANG", lang)
        monkeypatch.setenv("LC_ALL", lang)
        assert dutch.datum(dt.date(2026, 5, 20)) == "20 mei 2026"
        assert dutch.bedrag(1_600_000) == "€ 16.000,00"
        assert dutch.bedrag_text("21.80") == "€ 21,80"
        assert dutch.procent(110) == "110%"
        assert dutch.getal(36, "maanden") == "36 maanden"


def test_schema_of_the_decision_document_is_versioned() -> None:
    schema = json.loads((REGELS.parent / "schemas" / "besluit.schema.json").read_text("utf-8"))
    assert re.fullmatch(r"urn:verordening-engine:schema:besluit:\d+\.\d+\.\d+", schema["$id"])
    assert "Alternatief" in schema["$defs"]
    step = schema["$defs"]["Toelichting"]["properties"]
    assert {"id", "gebruikte_feiten", "voorwaarde", "soort"} <= set(step)


def test_a_sanction_is_avoided_not_granted() -> None:
    # wi-13: a verlaging is imposed; the alternatives say what would avoid it
    besluit = decided(SCENARIOS / "wi-13-verlaging-eerste-keer-arbeid.yaml").besluiten[0]
    assert besluit.uitkomst is not None and besluit.uitkomst.value == "toegekend"
    assert besluit.alternatieven
    assert all(
        a.uitkomst is not None and a.uitkomst.value == "afgewezen" for a in besluit.alternatieven
    )
    assert all("niet opgelegd" in a.zin for a in besluit.alternatieven)
    # wi-16: no verlaging: nothing to improve for the resident
    spared = decided(SCENARIOS / "wi-16-verlaging-dringende-reden.yaml").besluiten[0]
    assert spared.alternatieven == []
    assert "Wij leggen u geen verlaging van de bijstand op." in to_markdown(
        decided(SCENARIOS / "wi-16-verlaging-dringende-reden.yaml")
    )


def test_two_grounds_for_refusal_need_a_pair_of_changes() -> None:
    # wmo-24: eigen kracht and an algemene voorziening both suffice: both must change
    besluit = decided(SCENARIOS / "wmo-24-eigen-kracht-gaat-voor-algemene-voorziening.yaml")
    alternatives = besluit.besluiten[0].alternatieven
    assert alternatives and all(len(a.wijzigingen) == 2 for a in alternatives)
    assert any(
        {c.pad.rsplit("/", 1)[1] for c in a.wijzigingen}
        == {"eigen_kracht_volstaat", "algemene_voorziening_volstaat"}
        for a in alternatives
    )
