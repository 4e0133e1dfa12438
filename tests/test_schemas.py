"""Editors that know the facts: a case schema per version, and modelines that point at it.

The schemas are checked the way an editor uses them: a JSON Schema validator on the case
data (dates as text, as yaml-language-server reads them).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from verordening_engine import schemas
from verordening_engine.api import all_regelsets, evaluate, read_case, versions
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError
from verordening_engine.regels.compiled import CompiledRegelset
from verordening_engine.regels.versions import select_version
from verordening_engine.scenarios import modelines

from .conftest import ROOT, SCENARIOS

SCHEMAS = ROOT / "schemas"
SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))


@pytest.fixture(scope="module")
def by_version() -> dict[str, CompiledRegelset]:
    return {r.versie: r.compiled for r in all_regelsets()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _version_of(file: Path) -> str:
    casus, _ = read_case(file)
    return select_version(versions(), casus.peildatum, casus.versie).meta.versie


def _errors(schema: dict[str, Any], data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def _schema_on_disk(versie: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / schemas.case_schema_name(versie)).read_text("utf-8"))


def test_every_version_has_a_case_schema_on_disk(by_version: dict[str, CompiledRegelset]) -> None:
    for versie, rs in by_version.items():
        assert _schema_on_disk(versie) == schemas.case_schema(rs)


@pytest.mark.parametrize("file", SCENARIO_FILES, ids=lambda f: f.stem)
def test_scenario_is_valid_under_the_schema_its_modeline_names(file: Path) -> None:
    versie = _version_of(file)
    first = file.read_text("utf-8").splitlines()[0]
    assert first == (
        f"# yaml-language-server: $schema=../schemas/{schemas.case_schema_name(versie)}"
    ), "run `verordening schemas --modelines scenarios` to point the modeline at its version"
    data = _plain(yaml.safe_load(file.read_text("utf-8")))
    assert _errors(_schema_on_disk(versie), data) == []


def _case() -> dict[str, Any]:
    return _plain(
        yaml.safe_load((SCENARIOS / "jeugd-01-ambulante-jeugdhulp-angst.yaml").read_text())
    )


@pytest.mark.parametrize(
    ("spoil", "where"),
    [
        (lambda c: c["aanvragen"][0]["feiten"].update(jeugdhulp_nodg=True), "aanvragen.0.feiten"),
        (lambda c: c["aanvragen"][0]["feiten"].update(jeugdhulp_nodig="ja"), "jeugdhulp_nodig"),
        (lambda c: c["aanvragen"][0].update(voorziening="jeugdhulp_ambulnt"), "voorziening"),
        (lambda c: c["huishouden"]["leden"][0].update(feiten={"wlz_indicatie": 1}), "wlz_ind"),
        (lambda c: c["huishouden"].update(feiten={"vermogen": 1200}), "vermogen"),
        (
            lambda c: c["aanvragen"][0]["feiten"].update(vorig_schuldhulptraject="klaar"),
            "vorig_schuldhulptraject",
        ),
    ],
    ids=["misspelled fact", "wrong type", "unknown voorziening", "int for waarheid",
         "number for bedrag", "value not allowed"],
)  # fmt: skip
def test_schema_flags_what_the_engine_rejects(
    by_version: dict[str, CompiledRegelset], spoil: Any, where: str
) -> None:
    case = _case()
    spoil(case)
    found = _errors(schemas.case_schema(by_version["2026-04-01"]), case)
    assert found and any(where in e for e in found), found
    with pytest.raises(VerordeningError):  # the engine refuses the same case
        evaluate(case)


def test_schema_lists_facts_with_type_description_and_values(
    by_version: dict[str, CompiledRegelset],
) -> None:
    schema = schemas.case_schema(by_version["2026-04-01"])
    defs = schema["$defs"]
    aanvraag = defs["Aanvraag"]["properties"]
    facts = aanvraag["feiten"]["properties"]
    assert facts["jeugdhulp_nodig"]["type"] == "boolean"
    assert facts["jeugdhulp_nodig"]["description"]
    assert facts["vorig_schuldhulptraject"]["enum"] == [
        "geen",
        "afgerond",
        "verwijtbaar_beeindigd",
        "anders_beeindigd",
    ]
    assert aanvraag["feiten"]["additionalProperties"] is False
    assert "jeugdhulp_ambulant" in aanvraag["voorziening"]["enum"]
    assert len(aanvraag["voorziening"]["enum"]) == len(aanvraag["voorziening"]["enumDescriptions"])
    assert defs["Huishouden"]["properties"]["feiten"]["properties"]["vermogen"]["type"] == "string"
    assert "wlz_indicatie" in defs["Lid"]["properties"]["feiten"]["properties"]


def test_versions_differ_where_their_vocabulary_does(
    by_version: dict[str, CompiledRegelset],
) -> None:
    def ids(versie: str) -> set[str]:
        schema = schemas.case_schema(by_version[versie])
        return set(schema["$defs"]["Aanvraag"]["properties"]["voorziening"]["enum"])

    for versie, rs in by_version.items():
        assert ids(versie) == set(rs.catalogue)


def test_modelines_are_rewritten_per_version(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    picked = [f for f in SCENARIO_FILES if f.stem.startswith(("v2025-01", "v2027-01", "jeugd-01"))]
    for file in picked:
        lines = file.read_text("utf-8").splitlines(keepends=True)
        spoiled = "# yaml-language-server: $schema=../schemas/casus.schema.json\n"
        (folder / file.name).write_text(spoiled + "".join(lines[1:]), "utf-8")
    shutil.copy(picked[0], folder / "zonder.yaml")
    bare = (folder / "zonder.yaml").read_text("utf-8").split("\n", 1)[1]
    (folder / "zonder.yaml").write_text(bare, "utf-8")

    check = CliRunner().invoke(main, ["schemas", "--check", "--modelines", str(folder)])
    assert check.exit_code == 1 and "modeline verouderd" in check.output
    changed = modelines.rewrite(folder, None, SCHEMAS)
    assert len(changed) == len(picked) + 1
    assert all(line.ok for line in modelines.check(folder, None, SCHEMAS))
    for file in folder.iterdir():
        first = file.read_text("utf-8").splitlines()[0]
        assert first.endswith(f"/{schemas.case_schema_name(_version_of(file))}")
        assert (file.parent / first.split("=", 1)[1]).is_file()  # relative to the case file
    assert (folder / "zonder.yaml").read_text("utf-8").split("\n", 1)[1] == bare


def test_schemas_check_reports_a_left_over_version(tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    written = CliRunner().invoke(main, ["schemas", str(target)])
    assert written.exit_code == 0, written.output
    assert CliRunner().invoke(main, ["schemas", "--check", str(target)]).exit_code == 0
    (target / "casus-1999-01-01.schema.json").write_text("{}", "utf-8")
    (target / "casus-2026-04-01.schema.json").write_text("{}", "utf-8")
    check = CliRunner().invoke(main, ["schemas", "--check", str(target)])
    assert check.exit_code == 1
    assert "casus-1999-01-01" in check.output and "casus-2026-04-01" in check.output
