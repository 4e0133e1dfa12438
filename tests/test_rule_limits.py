"""Rule sets at the limits: what `validate` accepts compiles without crashing, and what it
cannot handle is refused with a located message (generated rule sets, checked by the CLI)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import load_regelset_folder
from verordening_engine.cli import main

from .conftest import SCENARIOS

HEAD = """nummer: 9
titel: Gegenereerd
artikelen:
  - nummer: "9.1"
    titel: Gegenereerd
    tekst: Gegenereerd artikel om grenzen te testen.
    grondslag:
      - {wet: jeugdwet, artikel: "2.3"}
    bron:
      soort: gemodelleerd
      toelichting: gegenereerd voor een test
    regels:
"""


def _with_chapter(folder: Path, rules: list[str]) -> Path:
    meta = folder / "regelset.yaml"
    meta.write_text(
        meta.read_text("utf-8").replace(
            "    - hoofdstuk-6-slotbepalingen.yaml\n",
            "    - hoofdstuk-6-slotbepalingen.yaml\n    - hoofdstuk-9-gen.yaml\n",
        ),
        "utf-8",
    )
    (folder / "hoofdstuk-9-gen.yaml").write_text(HEAD + "".join(rules), "utf-8")
    return folder


def _rule(i: int, als: str, extra: str = "") -> str:
    return (
        f"      - id: gen-{i}\n"
        "        voor: {wet: jeugdwet, kenmerk: jeugdhulp}\n"
        f"        als: {als}\n"
        "        besluit: {uitkomst: afgewezen}\n"
        "        uitzondering_op: [jeugd-toekenning]\n"
        f"{extra}"
        "        uitleg: {wel: gegenereerd}\n"
    )


def _gaat_voor(i: int) -> str:
    return f"        gaat_voor: [gen-{i}]\n"


def _validate(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(folder)])
    return result.exit_code, result.output


def _rules_in(folder: Path) -> int:
    """How many rules the shipped version has (the generated ones come on top)."""
    code, output = _validate(folder)
    assert code == 0, output
    found = re.search(r"(\d+) regels", output)
    assert found is not None, output
    return int(found[1])


def test_a_gaat_voor_chain_of_1200_rules_validates(regels_copy: Path) -> None:
    n = 1200
    shipped = _rules_in(regels_copy)
    rules = [
        _rule(
            i,
            f"leeftijd_jaren > {200 + i}",
            f"        gaat_voor: [gen-{i + 1}]\n" if i + 1 < n else "",
        )
        for i in range(n)
    ]
    code, output = _validate(_with_chapter(regels_copy, rules))
    assert code == 0, output
    assert f" {shipped + n} regels" in output
    regelset = load_regelset_folder(regels_copy)
    # the chain is one order: the first rule beats all 1,199 after it
    from verordening_engine.engine.settlement import beats

    assert {f"gen-{i}" for i in range(1, n)} <= beats(regelset.compiled)["gen-0"]


def test_a_cycle_in_a_long_chain_is_located(regels_copy: Path) -> None:
    n = 1200
    rules = [
        _rule(i, "aanvraag.jeugdhulp_nodig", f"        gaat_voor: [gen-{(i + 1) % n}]\n")
        for i in range(n)
    ]
    folder = _with_chapter(regels_copy, rules)
    code, output = _validate(folder)
    assert code == 2
    assert "hoofdstuk-9-gen.yaml:" in output and "priorities form a cycle" in output
    assert "RecursionError" not in output and "interne fout" not in output


def test_400_expressions_of_2000_characters_validate(regels_copy: Path) -> None:
    shipped = _rules_in(regels_copy)
    terms = " + ".join(["leeftijd_jaren"] * 114)
    rules = [_rule(i, f"aanvraag.jeugdhulp_nodig and {terms} > {100_000 + i}") for i in range(400)]
    folder = _with_chapter(regels_copy, rules)
    assert (
        max(len(line) for line in (folder / "hoofdstuk-9-gen.yaml").read_text().splitlines()) > 1900
    )
    code, output = _validate(folder)
    assert code == 0, output
    assert f" {shipped + 400} regels" in output


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("(" * 990 + "leeftijd_jaren" + ")" * 990 + " > 1", "too many nested parentheses"),
        ("not " * 600 + "aanvraag.jeugdhulp_nodig", ""),
        ("leeftijd_jaren" + " + 1" * 600 + " > 0", ""),
    ],
)
def test_deep_expressions_compile_or_are_located(
    regels_copy: Path, expression: str, message: str
) -> None:
    code, output = _validate(_with_chapter(regels_copy, [_rule(0, f"'{expression}'")]))
    assert "interne fout" not in output and "Traceback" not in output
    if code:
        assert "hoofdstuk-9-gen.yaml:" in output
        assert message in output


def test_an_interrupt_inside_a_rule_action_is_not_a_rule_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from verordening_engine.api import load_regelset
    from verordening_engine.engine import evaluation

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    regelset = load_regelset("regels", versie="2026-04-01")
    # the reference firing (a case lacking a fact) and the generated fast path alike
    monkeypatch.setattr(evaluation, "fire", interrupted)
    monkeypatch.setattr(evaluation, "_fire_fast", interrupted)
    with pytest.raises(KeyboardInterrupt):
        regelset.evaluate(SCENARIOS / "wmo-02-jongere-17-5-jaar-begeleiding.yaml")


def test_unknown_rule_and_parameter_names_suggest_the_known_one(regels_copy: Path) -> None:
    from .conftest import edit

    edit(regels_copy / "hoofdstuk-3-jeugd.yaml", "- jeugd-zvw\n", "- jeugd-zwv\n")
    name = "zorgoppas_tarief"
    edit(regels_copy / "voorzieningen.yaml", f"tarief: {name},", f"tarief: {name}x,")
    code, output = _validate(regels_copy)
    assert code == 2
    assert "unknown rule 'jeugd-zwv' (did you mean 'jeugd-zvw'" in output
    assert f"unknown parameter '{name}x' (did you mean '{name}'" in output
