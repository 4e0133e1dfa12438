"""Fuzzing bad input: whatever a case file or rule file holds, the library raises only
VerordeningError with a located problem, and the CLI exits 2 without a traceback."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verordening_engine.api import load_regelset_folder
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError
from verordening_engine.reading.yaml_loading import parse_text

from .conftest import REGELS, VERSIE_2026

VALID = {
    "casus": "fuzz",
    "peildatum": "2026-05-01",
    "huishouden": {
        "leden": [{"id": "p1", "geboortedatum": "1950-01-01", "rol": "aanvrager"}],
        "feiten": {"inkomen_pct_sociaal_minimum": 150},
    },
    "aanvragen": [{"id": "a1", "persoon": "p1", "voorziening": "wasservice"}],
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.sampled_from(["2026-02-30", "9999-99-99", "-1", "1e400", "\x00", "🙂", "NaN"]),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    """A valid document with one value replaced, one key dropped or one key added."""
    data = copy.deepcopy(base)
    path = draw(st.sampled_from(_paths(data)))
    if not path:
        return draw(json_like)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    action = draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "drop" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = draw(json_like)
    else:
        parent[path[-1]] = draw(json_like)
    return data


def _assert_located(error: VerordeningError) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.file and problem.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(VALID))
def test_mutated_case_never_crashes(case: Any) -> None:
    from verordening_engine.api import load_regelset

    regelset = load_regelset(REGELS, versie="2026-04-01")
    text = json.dumps(case, allow_nan=True)
    try:
        from verordening_engine.api import read_case_text

        casus, doc = read_case_text(text, "casus.json")
        regelset.evaluate_casus(casus, doc)
    except VerordeningError as error:
        _assert_located(error)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_yaml_text_never_crashes(text: str) -> None:
    try:
        parse_text(text, "x.yaml")
    except VerordeningError as error:
        _assert_located(error)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_rule_file_never_crashes(tmp_path_factory: Any, data: st.DataObject) -> None:
    folder = tmp_path_factory.mktemp("regels") / "v"
    shutil.copytree(VERSIE_2026, folder)
    name = data.draw(st.sampled_from(sorted(p.name for p in folder.glob("*.yaml"))))
    original = yaml.safe_load((folder / name).read_text("utf-8"))
    changed = data.draw(mutated(original))
    (folder / name).write_text(yaml.safe_dump(changed, allow_unicode=True), "utf-8")
    try:
        load_regelset_folder(folder)
    except VerordeningError as error:
        _assert_located(error)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated(VALID))
def test_cli_on_mutated_case_exits_0_1_or_2_without_traceback(case: Any) -> None:
    result = CliRunner().invoke(
        main,
        ["--regels", str(REGELS), "evaluate", "-", "--format", "json"],
        input=json.dumps(case, allow_nan=True),
    )
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "fout: " in result.output


def test_huge_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "groot.yaml"
    big.write_text("a: " + "x" * 3_000_000, "utf-8")
    result = CliRunner().invoke(main, ["--regels", str(REGELS), "evaluate", str(big)])
    assert result.exit_code == 2
    assert "larger than" in result.output


def test_far_future_peildatum_is_an_input_error() -> None:
    case = copy.deepcopy(VALID)
    case["peildatum"] = "9999-12-31"
    case["huishouden"]["leden"][0]["geboortedatum"] = "9999-01-01"
    result = CliRunner().invoke(
        main,
        ["--regels", str(REGELS), "evaluate", "-", "--versie", "2026-04-01"],
        input=json.dumps(case),
    )
    assert result.exit_code == 2
    assert "peildatum outside the supported range" in result.output
