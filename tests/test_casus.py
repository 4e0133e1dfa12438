"""Case files: reading and binding to a regelset; bad cases give a located message, exit 2."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from verordening_engine.api import Regelset, load_regelset
from verordening_engine.besluit.model import BesluitDocument
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

DATES = "      meldingsdatum: 2026-04-01\n      aanvraagdatum: 2026-04-20\n"


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


def test_missing_fact_leaves_the_request_undecided(tmp_path: Path) -> None:
    """Missing is not a value: the income decides the contribution, so no decision (exit 1)."""
    case = tmp_path / "casus.yaml"
    text = CASE.replace("  feiten: {inkomen_pct_sociaal_minimum: 150}\n", "")
    case.write_text(text + DATES, "utf-8")
    args = ["--regels", str(ROOT / "regels"), "evaluate", str(case), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    [besluit] = json.loads(result.output)["besluiten"]
    assert besluit["uitkomst"] is None
    assert besluit["eigen_bijdrage"] is None
    [item] = besluit["ontbrekende_gegevens"]
    assert item["feit"] == "huishouden.inkomen_pct_sociaal_minimum"
    assert item["pad"] == "/huishouden/feiten/inkomen_pct_sociaal_minimum"
    assert item["artikelen"] and item["omschrijving"].startswith("Het inkomen")


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


IMPOSSIBLE = """casus: onmogelijk
peildatum: 2026-05-27
huishouden:
  leden:
    - id: a
      geboortedatum: 1989-06-24
      rol: aanvrager
    - id: p
      geboortedatum: 2010-01-01
      rol: partner
  feiten:
    inkomen_pct_sociaal_minimum: -5
    laag_inkomen_sinds: 2026-06-01
aanvragen:
  - id: shv
    persoon: a
    voorziening: schuldhulpverlening
    feiten:
      meldingsdatum: 2026-05-04
      datum_eerste_gesprek: 2026-05-01
      vorig_schuldhulptraject: geen
      einddatum_vorig_schuldhulptraject: 2023-01-15
  - id: ho
    persoon: a
    voorziening: huishoudelijke_ondersteuning
    feiten:
      meldingsdatum: 2026-05-04
      aanvraagdatum: 2026-06-02
      kosten_zorg_in_natura: "-1.00"
"""
# (line, field, what the message says) of every impossible value above
EXPECTED_PROBLEMS = [
    (9, "huishouden.leden[1].geboortedatum", "partner"),
    (12, "huishouden.feiten.inkomen_pct_sociaal_minimum", "below the minimum 0"),
    (13, "huishouden.feiten.laag_inkomen_sinds", "after peildatum"),
    (20, "aanvragen[0].feiten.datum_eerste_gesprek", "before aanvraag.meldingsdatum"),
    (22, "aanvragen[0].feiten.einddatum_vorig_schuldhulptraject", "may only be given when"),
    (28, "aanvragen[1].feiten.aanvraagdatum", "after peildatum"),
    (29, "aanvragen[1].feiten.kosten_zorg_in_natura", "below the minimum 0.00"),
]


def test_impossible_input_is_an_error_with_every_problem_located(tmp_path: Path) -> None:
    case = tmp_path / "onmogelijk.yaml"
    case.write_text(IMPOSSIBLE, "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "evaluate", str(case)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("fout:")]
    assert len(lines) == len(EXPECTED_PROBLEMS), result.output
    for (line, field, fragment), text in zip(EXPECTED_PROBLEMS, lines, strict=True):
        assert f"{case}:{line}:" in text
        assert f"[{field}]" in text
        assert fragment in text


def test_possible_input_passes_the_same_checks(tmp_path: Path) -> None:
    fixed = (
        IMPOSSIBLE.replace("2010-01-01", "1990-01-01")
        .replace("-5", "120")
        .replace("laag_inkomen_sinds: 2026-06-01", "laag_inkomen_sinds: 2020-06-01")
        .replace("datum_eerste_gesprek: 2026-05-01", "datum_eerste_gesprek: 2026-05-20")
        .replace("vorig_schuldhulptraject: geen", "vorig_schuldhulptraject: afgerond")
        .replace("aanvraagdatum: 2026-06-02", "aanvraagdatum: 2026-05-20")
        .replace('"-1.00"', '"100.00"')
    )
    case = tmp_path / "mogelijk.yaml"
    case.write_text(fixed, "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "evaluate", str(case)])
    assert "fout:" not in result.output
    assert result.exit_code in (0, 1)


VERSIE_CASE = """casus: versie
peildatum: 2026-06-01
versie: "2027-01-01"
huishouden:
  leden:
    - {id: a, geboortedatum: 1989-06-24, rol: aanvrager}
aanvragen:
  - id: shv
    persoon: a
    voorziening: schuldhulpverlening
    feiten:
      meldingsdatum: 2026-05-04
      datum_eerste_gesprek: 2026-05-20
      problematische_schulden: true
"""


def _evaluate(case: Path, *extra: str) -> tuple[int, str]:
    args = ["--regels", str(ROOT / "regels"), "evaluate", str(case), "--format", "json", *extra]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def test_case_versie_is_honoured_and_peildatum_outside_it_is_an_error(tmp_path: Path) -> None:
    case = tmp_path / "versie.yaml"
    case.write_text(VERSIE_CASE, "utf-8")
    code, output = _evaluate(case)
    assert code == 2
    assert f"{case}:2:" in output
    assert "peildatum 2026-06-01" in output and "version 2027-01-01" in output
    code, output = _evaluate(case, "--buiten-geldigheid")
    assert code == 0, output
    assert json.loads(output)["verordening"]["versie"] == "2027-01-01"
    code, output = _evaluate(case, "--versie", "2026-04-01")  # the option overrides
    assert code == 0, output
    assert json.loads(output)["verordening"]["versie"] == "2026-04-01"


def test_library_refuses_a_peildatum_outside_the_version(tmp_path: Path) -> None:
    from verordening_engine.errors import VerordeningError

    rs = load_regelset(ROOT / "regels", versie="2025-01-01")
    case = yaml.safe_load(VERSIE_CASE)
    with pytest.raises(VerordeningError) as info:
        rs.evaluate(case)
    [problem] = info.value.problems
    assert problem.field == "peildatum"
    assert "2026-06-01" in problem.message and "2025-01-01" in problem.message
    assert rs.evaluate(case, buiten_geldigheid=True).verordening.versie == "2025-01-01"


def test_batch_honours_each_case_versie(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.yaml").write_text(VERSIE_CASE, "utf-8")
    (folder / "b.yaml").write_text(VERSIE_CASE.replace('versie: "2027-01-01"\n', ""), "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "batch", str(folder)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(records) == 2
    errors = [r for r in records if "fouten" in r]
    assert len(errors) == 1 and "2027-01-01" in json.dumps(errors[0])
    result = CliRunner().invoke(
        main, ["--regels", str(ROOT / "regels"), "batch", str(folder), "--buiten-geldigheid"]
    )
    assert result.exit_code == 0, result.output


def test_markdown_says_what_to_ask(tmp_path: Path) -> None:
    """The beschikking tells the resident what to send, by when (Awb 4:5) and why, under the
    undecided request only; the terminal tells the consulent the same and where it goes."""
    args = ["--regels", str(ROOT / "regels"), "evaluate"]
    scenario = ROOT / "scenarios" / "onvolledig-01-jeugdhulpvervoer-zonder-afstand.yaml"
    result = CliRunner().invoke(main, [*args, "--format", "markdown", str(scenario)])
    assert result.exit_code == 1
    sections = dict((part.split("\n", 1)[0], part) for part in result.output.split("\n## ")[1:])
    vervoer, hulp = sections["Jeugdhulpvervoer"], sections["Ambulante jeugdhulp"]
    assert "Wij kunnen nog niet beslissen op uw aanvraag voor jeugdhulpvervoer" in vervoer
    asked = vervoer.split("**Wat we nog van u nodig hebben.**", 1)[1]
    # the hersteltermijn and its consequence, with the article of the Awb
    assert "binnen de termijn die wij u geven" in asked
    assert "buiten behandeling" in asked
    assert "artikel 4:5 van de Algemene wet bestuursrecht" in asked
    # the missing fact in words, with the articles that need it; no names or pointers
    bullets = [line for line in asked.splitlines() if line.startswith("- ")]
    assert len(bullets) == 1
    assert bullets[0].startswith("- Afstand van huis naar de locatie van de jeugdhulp")
    assert bullets[0].endswith("(nodig voor artikel 3.7 en 3.8)")
    assert "afstand_km" not in result.output and "/aanvragen/" not in result.output
    assert "nodig hebben" not in hulp  # the decided request asks nothing

    terminal = CliRunner().invoke(main, [*args, str(scenario)], env={"COLUMNS": "200"})
    assert terminal.exit_code == 1
    text = " ".join(terminal.output.split())
    assert "Uitkomst geen besluit" in text
    assert "Wat we nog van u nodig hebben" in text
    assert "hersteltermijn" in text and "buiten behandeling" in text and "(Awb 4:5)" in text
    assert "• Afstand van huis naar de locatie van de jeugdhulp" in text
    assert "(nodig voor artikel 3.7 en 3.8) in de casus: /aanvragen/0/feiten/afstand_km" in text


@cache
def scenario_cases() -> list[tuple[str, dict[str, Any], Regelset, BesluitDocument]]:
    """Every scenario case with its regelset and its decision as the scenario gives it."""
    out = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        case = yaml.safe_load(path.read_text("utf-8"))
        case.pop("verwachting", None)
        peildatum = case["peildatum"]
        rs = load_regelset(ROOT / "regels", versie=case.get("versie"), peildatum=peildatum)
        out.append((path.name, case, rs, rs.evaluate(case)))
    return out


def given_without_default(case: dict[str, Any], rs: Regelset) -> list[tuple[Any, ...]]:
    """Paths of the facts a case gives that have no standaard (dropping one makes it absent)."""
    inputs = rs.compiled.inputs
    paths: list[tuple[Any, ...]] = []
    for i, lid in enumerate(case["huishouden"]["leden"]):
        for name in lid.get("feiten", {}):
            if inputs["persoon"][name].standaard is None:
                paths.append(("huishouden", "leden", i, "feiten", name))
    for name in case["huishouden"].get("feiten", {}):
        if inputs["huishouden"][name].standaard is None:
            paths.append(("huishouden", "feiten", name))
    for i, aanvraag in enumerate(case["aanvragen"]):
        for name in aanvraag.get("feiten", {}):
            if inputs["aanvraag"][name].standaard is None:
                paths.append(("aanvragen", i, "feiten", name))
    return paths


def _present(case: dict[str, Any], pointer: str) -> bool:
    node: Any = case
    for part in pointer.split("/")[1:]:
        key: Any = int(part) if isinstance(node, list) else part
        if (isinstance(node, list) and key >= len(node)) or (
            isinstance(node, dict) and key not in node
        ):
            return False
        node = node[key]
    return True


DECISION = ("uitkomst", "verwijzing", "eigen_bijdrage", "ingangsdatum", "vaststellingen")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_dropped_fact_is_asked_for_never_assumed(data: st.DataObject) -> None:
    """Drop one given fact from a scenario: each request is either undecided and lists that
    fact (with its JSON Pointer), or decided exactly as with the fact; a request whose own
    facts were not touched is decided identically."""
    name, case, rs, before = data.draw(st.sampled_from(scenario_cases()), label="scenario")
    paths = given_without_default(case, rs)
    assume(paths)
    path = data.draw(st.sampled_from(paths), label="fact")
    changed = copy.deepcopy(case)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    pad = "/" + "/".join(str(p) for p in path)
    after = rs.evaluate(changed)
    for old, new in zip(before.besluiten, after.besluiten, strict=True):
        if path[0] == "aanvragen" and case["aanvragen"][path[1]]["id"] != old.aanvraag:
            assert new == old, f"{name}: {old.aanvraag} changed by another request's fact"
            continue
        listed = {item.pad for item in new.ontbrekende_gegevens}
        if listed - {item.pad for item in old.ontbrekende_gegevens}:
            # the dropped fact is asked for (with others it unmasks: an `or` whose known
            # part is now unknown needs its other part); everything asked for is absent
            assert pad in listed, name
            assert not any(_present(changed, p) for p in listed), name
            assert new.uitkomst is None, name
            assert new.eigen_bijdrage is None and not new.vaststellingen, name
            assert not new.beslissende_artikelen, name
        else:
            for part in DECISION:
                assert getattr(new, part) == getattr(old, part), f"{name}: {part} without {pad}"
            assert set(new.beslissende_artikelen) <= set(old.beslissende_artikelen), name


def test_jeugdhulpvervoer_without_distance_is_not_refused() -> None:
    """The case of the issue: no distance was read as 0 km and refused; now it is asked for."""
    scenario = ROOT / "scenarios" / "jeugd-08-vervoer-kilometervergoeding.yaml"
    case = yaml.safe_load(scenario.read_text("utf-8"))
    del case["aanvragen"][0]["feiten"]["afstand_km"]
    rs = load_regelset(ROOT / "regels", peildatum=case["peildatum"])
    [besluit] = rs.evaluate(case).besluiten
    assert besluit.uitkomst is None
    assert [(o.feit, o.pad) for o in besluit.ontbrekende_gegevens] == [
        ("aanvraag.afstand_km", "/aanvragen/0/feiten/afstand_km")
    ]
