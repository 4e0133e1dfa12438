"""Diff, regression runs, invariant checks, batch evaluation and reproduction of decisions."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import evaluate, load_regelset, load_regelset_folder
from verordening_engine.batch import evaluate_many
from verordening_engine.cli import main
from verordening_engine.versies.diff import diff
from verordening_engine.versies.invariants import check_invariants
from verordening_engine.versies.regression import regress

from .conftest import REGELS, SCENARIOS, VERSIE_2026, edit


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    """A root with the 2026 version and a concept copy in which the minima limit was raised."""
    root = tmp_path / "regels"
    shutil.copytree(VERSIE_2026, root / "dordrecht" / "2026-04-01")
    edit(
        root / "dordrecht" / "2026-04-01" / "regelset.yaml",
        'vorige_versie: "2025-01-01"',
        "vorige_versie: null",
    )
    concept = root / "dordrecht" / "concept"
    shutil.copytree(VERSIE_2026, concept)
    meta = concept / "regelset.yaml"
    edit(meta, 'versie: "2026-04-01"', 'versie: "concept"')
    edit(meta, "status: vastgesteld", "status: concept")
    edit(meta, 'vorige_versie: "2025-01-01"', 'vorige_versie: "2026-04-01"')
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
    # narrowed to two provisions so that finding the minimal examples stays quick
    kwargs = {
        "aantal": 150,
        "seed_value": 7,
        "peildatum": dt.date(2026, 4, 1),
        "regels": str(two_versions),
        "voorzieningen": ["begeleiding_individueel", "wasservice"],
    }
    report = regress(a, b, **kwargs)  # type: ignore[arg-type]
    again = regress(a, b, **kwargs)  # type: ignore[arg-type]
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
    from verordening_engine.reading.yaml_loading import read_document

    # scenario files that name a (concept) version are judged under it, not by peildatum
    cases = [read_document(f).data for f in sorted(SCENARIOS.glob("*.yaml"))]
    return [c for c in cases if "versie" not in c]


def test_batch_equals_one_by_one() -> None:
    cases = [*_scenario_cases(), {"casus": "kapot", "peildatum": "2026-13-01"}]
    results = list(evaluate_many(cases, regels=REGELS))
    assert [r.index for r in results] == list(range(len(cases)))
    assert results[-1].document is None and results[-1].error
    for case, result in zip(cases[:-1], results[:-1], strict=True):
        assert result.document == evaluate(case, regels=REGELS).model_dump(mode="json")


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


ALL_VERSIONS = ["2025-01-01", "2026-04-01", "2027-01-01"]


@pytest.mark.parametrize(
    ("peildatum", "versie"),
    [
        (dt.date(2025, 6, 1), "2025-01-01"),
        (dt.date(2026, 3, 31), "2025-01-01"),
        (dt.date(2026, 4, 1), "2026-04-01"),
        (dt.date(2027, 5, 1), "2026-04-01"),  # a concept is never chosen by date
    ],
)
def test_peildatum_picks_the_version_in_force(peildatum: dt.date, versie: str) -> None:
    assert load_regelset(REGELS, peildatum=peildatum).versie == versie


def test_concept_only_on_request() -> None:
    assert load_regelset(REGELS, versie="2027-01-01").compiled.meta.status.value == "concept"


def test_diff_2026_to_2027_lists_exactly_the_announced_changes() -> None:
    a = load_regelset(REGELS, versie="2026-04-01").compiled
    b = load_regelset(REGELS, versie="2027-01-01").compiled
    result = diff(a, b)
    assert {x.artikel for x in result.artikelen} == {
        "2.1",
        "2.2",
        "2.2a",
        "2.3",
        "2.5",
        "2.6",
        "2.11",
    }
    assert [x.soort for x in result.artikelen if x.artikel == "2.2a"] == ["toegevoegd"]
    assert {p.parameter for p in result.parameters} == {
        "ho_licht_kostprijs",
        "ho_licht_tarief",
        "sociaal_minimum_jaar_alleenstaand",
        "sociaal_minimum_jaar_meerpersoons",
        "wmo_bijdrage_drempel_alleenstaand",
        "wmo_bijdrage_drempel_meerpersoons",
        "wmo_bijdrage_maximum",
        "wmo_bijdrage_minimum",
        "wmo_bijdrage_stap",
        "wmo_bijdrage_stapgrootte",
    }
    assert [v.naam for v in result.voorzieningen] == ["huishoudelijke_ondersteuning_licht"]


def test_regress_2025_to_2026_finds_the_jeugdhulpvervoer_change() -> None:
    a = load_regelset(REGELS, versie="2025-01-01")
    b = load_regelset(REGELS, versie="2026-04-01")
    report = regress(
        a,
        b,
        aantal=300,
        seed_value=2,
        peildatum=dt.date(2026, 4, 1),
        regels=str(REGELS),
        examples=False,
    )
    changed = {v.voorziening for v in report.per_voorziening if v.gewijzigd}
    assert changed <= {"jeugdhulpvervoer", "wasservice", "zorgoppas"}
    # the transport change, on households that ask for transport
    report = regress(
        a,
        b,
        aantal=200,
        seed_value=2,
        peildatum=dt.date(2026, 4, 1),
        regels=str(REGELS),
        examples=False,
        voorzieningen=["jeugdhulpvervoer"],
    )
    assert {v.voorziening for v in report.per_voorziening if v.gewijzigd} == {"jeugdhulpvervoer"}
    assert any(
        o.van == "toegekend" and o.naar == "afgewezen" and o.aantal > 0 for o in report.overgangen
    )


def test_regress_2026_to_2027_touches_only_the_wmo_contribution_and_ho() -> None:
    a = load_regelset(REGELS, versie="2026-04-01")
    b = load_regelset(REGELS, versie="2027-01-01")
    report = regress(
        a,
        b,
        aantal=300,
        seed_value=2,
        peildatum=dt.date(2027, 1, 1),
        regels=str(REGELS),
        examples=False,
    )
    changed = {v.voorziening for v in report.per_voorziening if v.gewijzigd}
    catalogue = a.compiled.catalogue
    maatwerk = {v for v, item in catalogue.items() if item.soort.value == "maatwerk"}
    assert changed & maatwerk, "the income-dependent contribution changes maatwerk decisions"
    assert changed <= maatwerk | {"huishoudelijke_ondersteuning_licht"}
    other_laws = [
        v
        for v in report.per_voorziening
        if v.voorziening in catalogue and catalogue[v.voorziening].wet != "wmo2015"
    ]
    assert other_laws and all(v.gewijzigd == 0 for v in other_laws)
    ho = regress(
        a,
        b,
        aantal=150,
        seed_value=2,
        peildatum=dt.date(2027, 1, 1),
        regels=str(REGELS),
        examples=False,
        voorzieningen=["huishoudelijke_ondersteuning"],
    )
    assert any(
        o.naar == "afgewezen → huishoudelijke_ondersteuning_licht" and o.aantal > 0
        for o in ho.overgangen
    )


@pytest.mark.parametrize("versie", ALL_VERSIONS)
def test_invariants_hold_for_every_version(versie: str) -> None:
    results = check_invariants(load_regelset(REGELS, versie=versie), aantal=40, seed_value=1)
    assert [r.id for r in results if not r.voldaan] == []
