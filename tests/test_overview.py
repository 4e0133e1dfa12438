"""`verordening parameters` and `verordening begrippen`: what a version knows, for people."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from verordening_engine.api import load_regelset
from verordening_engine.cli import main


def _json(args: list[str]) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_parameters_give_the_value_in_force_on_the_date_with_its_source() -> None:
    rows = {r["parameter"]: r for r in _json(["parameters", "--versie", "2026-04-01",
                                               "--peildatum", "2025-06-01"])}  # fmt: skip
    tarief = rows["abonnementstarief"]
    assert (tarief["waarde"], tarief["vanaf"], tarief["eenheid"]) == (
        "21.00",
        "2025-01-01",
        "euro_per_maand",
    )
    assert tarief["status"] == "ongeverifieerd" and "CAK" in tarief["bron"]
    later = {r["parameter"]: r for r in _json(["parameters", "--versie", "2026-04-01",
                                                "--peildatum", "2026-06-01"])}  # fmt: skip
    assert later["abonnementstarief"]["waarde"] == "21.80"
    rs = load_regelset(versie="2026-04-01").compiled
    assert set(rows) == set(rs.parameters)
    for row in rows.values():
        assert (row["waarde"] is None) == (row["bron"] is None) == (row["status"] is None)


def test_parameters_without_a_value_yet_say_so() -> None:
    rows = _json(["parameters", "--versie", "2026-04-01", "--peildatum", "1990-01-01"])
    assert any(r["waarde"] is None for r in rows)
    text = CliRunner(env={"COLUMNS": "250"}).invoke(
        main, ["parameters", "--versie", "2026-04-01", "--peildatum", "1990-01-01"]
    )
    assert text.exit_code == 0 and "geen waarde" in text.output


def test_begrippen_say_type_description_and_who_provides_each_fact() -> None:
    rows = {r["naam"]: r for r in _json(["begrippen", "--versie", "2026-04-01"])}
    nodig = rows["aanvraag.jeugdhulp_nodig"]
    assert (nodig["soort"], nodig["type"]) == ("invoer", "waarheid")
    assert nodig["omschrijving"] and nodig["geleverd_door"].startswith("casus")
    traject = rows["aanvraag.vorig_schuldhulptraject"]
    assert traject["waarden"] == ["geen", "afgerond", "verwijtbaar_beeindigd", "anders_beeindigd"]
    assert rows["huishouden.aantal_kinderen"]["soort"] == "ingebouwd"
    derived = [r for r in rows.values() if r["soort"] == "afgeleid"]
    assert derived and all(r["geleverd_door"].startswith("regels: art. ") for r in derived)
    rs = load_regelset(versie="2026-04-01").compiled
    given = {f"{space}.{name}" for space, facts in rs.inputs.items() for name in facts}
    assert given == {n for n, r in rows.items() if r["soort"] == "invoer"}
    assert {n for n, r in rows.items() if r["soort"] == "afgeleid"} == set(rs.derived)


@pytest.mark.parametrize("command", ["parameters", "begrippen"])
def test_listings_render_for_people_and_name_an_unknown_version(command: str) -> None:
    for fmt in ("terminal", "markdown"):
        args = [command, "--versie", "2026-04-01", "--format", fmt]
        result = CliRunner(env={"COLUMNS": "200"}).invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "versie 2026-04-01" in result.output
    unknown = CliRunner().invoke(main, [command, "--versie", "1999"])
    assert unknown.exit_code == 2 and "no version '1999'" in unknown.output
