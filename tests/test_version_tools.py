"""Diff, regression runs, invariant checks, batch evaluation and reproduction of decisions."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import load_regelset, load_regelset_folder
from verordening_engine.batch import evaluate_many
from verordening_engine.cli import main
from verordening_engine.invariant_check import check_invariants
from verordening_engine.regression import regress
from verordening_engine.version_diff import diff

from .conftest import SCENARIOS, VERSIE_2026
from .test_bad_input import edit


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    """A root with the 2026 version and a concept copy in which the minima limit was raised."""
    root = tmp_path / "regels"
    shutil.copytree(VERSIE_2026, root / "dordrecht" / "2026-04-01")
    concept = root / "dordrecht" / "concept"
    shutil.copytree(VERSIE_2026, concept)
    meta = concept / "regelset.yaml"
    edit(meta, 'versie: "2026-04-01"', 'versie: "concept"')
    edit(meta, "status: vastgesteld", "status: concept")
    edit(meta, "vorige_versie: null", 'vorige_versie: "2026-04-01"')
    edit(concept / "parameters.yaml", "        waarde: 110\n", "        waarde: 200\n")
    return root


def test_diff_of_a_version_with_itself_is_empty() -> None:
    rs = load_regelset_folder(VERSIE_2026).compiled
    assert diff(rs, rs).leeg


def test_diff_lists_exactly_what_changed(two_versions: Path) -> None:
    chapter = two_versions / "dordrecht" / "concept" / "hoofdstuk-2-wmo.yaml"
    edit(
        chapter,
        "Een algemeen gebruikelijke voorziening lost uw beperking op.",
        "Een algemeen gebruikelijke voorziening lost uw beperking voldoende op.",
    )
    a = load_regelset(two_versions, versie="2026-04-01").compiled
    b = load_regelset(two_versions, versie="concept").compiled
    result = diff(a, b)
    assert [(x.artikel, x.regels_gewijzigd) for x in result.artikelen] == [
        ("2.2", ["wmo-algemeen-gebruikelijk"])
    ]
    assert [p.parameter for p in result.parameters] == ["minimagrens_eigen_bijdrage_procent"]
    assert result.voorzieningen == [] and result.begrippen == []


def test_regression_reports_only_the_contribution_change(two_versions: Path) -> None:
    a = load_regelset(two_versions, versie="2026-04-01")
    b = load_regelset(two_versions, versie="concept")
    report = regress(
        a, b, aantal=150, seed_value=7, peildatum=dt.date(2026, 4, 1), regels=str(two_versions)
    )
    again = regress(
        a, b, aantal=150, seed_value=7, peildatum=dt.date(2026, 4, 1), regels=str(two_versions)
    )
    assert report.model_dump_json() == again.model_dump_json()
    # numbers add up
    assert sum(v.aanvragen for v in report.per_voorziening) == report.aanvragen
    assert sum(v.gewijzigd for v in report.per_voorziening) == report.aanvragen_gewijzigd
    assert sum(o.aantal for o in report.overgangen) == report.aanvragen
    bands = report.eigen_bijdrage.huishoudens
    assert sum(bands.model_dump().values()) == report.huishoudens
    # raising the minima limit only lowers contributions, never changes an outcome
    assert all(o.van == o.naar for o in report.overgangen)
    assert report.aanvragen_gewijzigd > 0
    assert bands.verlies_groot == bands.verlies_klein == 0
    for example in report.voorbeelden:
        assert "eigen bijdrage gewijzigd" in example.soort
        assert example.besluit_a is not None and example.besluit_b is not None
        assert example.besluit_a["eigen_bijdrage"] != example.besluit_b["eigen_bijdrage"]
        assert len(example.huishouden["aanvragen"]) == 1
        inkomen = example.huishouden["huishouden"]["feiten"]["inkomen_pct_sociaal_minimum"]
        assert 110 < inkomen <= 200


def test_regression_same_seed_same_report(two_versions: Path) -> None:
    args = [
        "--regels",
        str(two_versions),
        "regress",
        "2026-04-01",
        "concept",
        "--aantal",
        "60",
        "--seed",
        "3",
        "--format",
        "json",
        "--zonder-voorbeelden",
    ]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    assert json.loads(first.output)["huishoudens"] == 60
    markdown = CliRunner().invoke(
        main, [*args[:-3], "--format", "markdown", "--zonder-voorbeelden"]
    )
    assert markdown.exit_code == 0
    assert markdown.output.startswith("# Regressie 2026-04-01 → concept")


def test_invariants_hold_for_the_2026_version() -> None:
    results = check_invariants(load_regelset_folder(VERSIE_2026), aantal=60, seed_value=1)
    assert {r.id for r in results} >= {"een-besluit-per-aanvraag", "minima-geen-wmo-bijdrage"}
    assert [r.id for r in results if not r.voldaan] == []


def test_broken_copy_fails_check_with_counterexample(regels_copy: Path) -> None:
    # the cap at kostprijs removed: the invariant must catch it
    edit(
        regels_copy / "hoofdstuk-2-wmo.yaml",
        "bedrag: min(voorziening.tarief, voorziening.kostprijs)",
        "bedrag: voorziening.tarief",
    )
    result = CliRunner().invoke(
        main, ["--regels", str(regels_copy.parent.parent), "check", "2026-04-01", "--aantal", "60"]
    )
    assert result.exit_code == 1
    assert "GESCHONDEN av-bijdrage-niet-boven-kostprijs" in result.output
    assert '"voorziening": "wasservice"' in result.output


def _scenario_cases() -> list[dict]:  # type: ignore[type-arg]
    from verordening_engine.yaml_loading import read_document

    return [read_document(f).data for f in sorted(SCENARIOS.glob("*.yaml"))]


def test_batch_equals_one_by_one() -> None:
    cases = [*_scenario_cases(), {"casus": "kapot", "peildatum": "2026-13-01"}]
    results = list(evaluate_many(cases, regels=VERSIE_2026.parent.parent))
    assert [r.index for r in results] == list(range(len(cases)))
    assert results[-1].document is None and results[-1].error
    rs = load_regelset_folder(VERSIE_2026)
    for case, result in zip(cases[:-1], results[:-1], strict=True):
        assert result.document == rs.evaluate(case).model_dump(mode="json")


def test_batch_on_a_process_pool_and_on_dask() -> None:
    from concurrent.futures import ProcessPoolExecutor

    distributed = pytest.importorskip("distributed")
    cases = _scenario_cases()
    regels = VERSIE_2026.parent.parent
    expected = [r.as_json_line() for r in evaluate_many(cases, regels=regels)]
    with ProcessPoolExecutor(2) as pool:
        assert [
            r.as_json_line()
            for r in evaluate_many(cases, regels=regels, executor=pool, chunk_size=5)
        ] == expected
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        assert [
            r.as_json_line()
            for r in evaluate_many(cases, regels=regels, executor=executor, chunk_size=5)
        ] == expected


def test_reproduce_confirms_and_detects_a_change(tmp_path: Path) -> None:
    scenario = sorted(SCENARIOS.glob("wmo-*.yaml"))[1]
    runner = CliRunner()
    out = runner.invoke(
        main,
        ["--regels", str(VERSIE_2026.parent.parent), "evaluate", str(scenario), "--format", "json"],
    )
    decision = tmp_path / "besluit.json"
    decision.write_text(out.output, "utf-8")
    same = runner.invoke(
        main,
        ["--regels", str(VERSIE_2026.parent.parent), "reproduce", str(decision), str(scenario)],
    )
    assert same.exit_code == 0, same.output
    assert same.output.startswith("identiek")
    doc = json.loads(out.output)
    doc["besluiten"][0]["uitkomst"] = "afgewezen"
    decision.write_text(json.dumps(doc), "utf-8")
    changed = runner.invoke(
        main,
        ["--regels", str(VERSIE_2026.parent.parent), "reproduce", str(decision), str(scenario)],
    )
    assert changed.exit_code == 1
    assert '-      "uitkomst": "afgewezen"' in changed.output
