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
    # 2.1 no longer differs: its Jeugdwet referral is only about begeleiding, never about the
    # huishoudelijke ondersteuning that 2.2a moves; 2.5a caps the income-dependent bijdrage
    assert {x.artikel for x in result.artikelen} == {
        "2.2",
        "2.2a",
        "2.3",
        "2.5",
        "2.5a",
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
    # granted maatwerk with a contribution is a small share of a mixed population: draw
    # maatwerk requests only to see the income-dependent contribution change decisions
    only_maatwerk = regress(
        a,
        b,
        aantal=150,
        seed_value=2,
        peildatum=dt.date(2027, 1, 1),
        regels=str(REGELS),
        examples=False,
        voorzieningen=sorted(maatwerk),
    )
    assert any(v.gewijzigd for v in only_maatwerk.per_voorziening), (
        "the income-dependent contribution changes maatwerk decisions"
    )
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


# ---------------------------------------------------------------- regression that sees every change
def _draft(folder: Path, files: dict[str, str], basis: str = "2026-04-01") -> Path:
    """A draft that states only its changes against `basis`, written as policy staff would."""
    folder.mkdir(parents=True)
    (folder / "regelset.yaml").write_text(
        f'basis: "{basis}"\nversie: "{folder.name}"\nstatus: concept\ntitel: Proefwijziging\n',
        "utf-8",
    )
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    return folder


def _parameter(name: str, unit: str, value: str, vanaf: str = "2025-01-01") -> str:
    return (
        f"parameters:\n  {name}:\n    omschrijving: proef\n    eenheid: {unit}\n"
        f"    waarden:\n      - vanaf: {vanaf}\n        waarde: {value}\n"
        "        bron: proef\n        status: ongeverifieerd\n"
    )


IIT_600 = {
    "parameters-werk-inkomen.yaml": _parameter(
        "iit_bedrag_alleenstaande", "euro_per_jaar", '"600.00"'
    )
}
MINIMA_120 = {"parameters.yaml": _parameter("minimagrens_eigen_bijdrage_procent", "procent", "120")}


def test_a_draft_states_only_its_changes(tmp_path: Path) -> None:
    base = load_regelset(REGELS, versie="2026-04-01").compiled
    draft = load_regelset_folder(_draft(tmp_path / "iit-600", IIT_600)).compiled
    assert draft.meta.versie == "iit-600" and draft.meta.vorige_versie == "2026-04-01"
    assert draft.meta.status.value == "concept"
    day = dt.date(2026, 4, 1)
    assert draft.param_at("iit_bedrag_alleenstaande", day).value == 600_00  # type: ignore[union-attr]
    # everything else is the base's: the same articles, rules and other parameters
    assert len(draft.rules) == len(base.rules)
    result = diff(base, draft)
    assert [p.parameter for p in result.parameters] == ["iit_bedrag_alleenstaande"]
    assert result.artikelen == [] and result.voorzieningen == [] and result.begrippen == []


def test_a_draft_replaces_one_article_and_is_located_when_wrong(tmp_path: Path) -> None:
    chapter = (
        "nummer: 2\ntitel: Wmo\nartikelen:\n"
        '  - nummer: "2.1"\n    titel: Toegang\n    tekst: Proef.\n'
        "    bron: {soort: gemodelleerd}\n    regels:\n"
        "      - id: wmo-aanvraag-te-jong\n        voor: {wet: wmo2015}\n"
        "        als: leeftijd_maanden < param.bestaat_niet\n"
        "        besluit: {uitkomst: afgewezen}\n        uitleg: {wel: Te jong.}\n"
    )
    folder = _draft(tmp_path / "kapot", {"hoofdstuk-2-wmo.yaml": chapter})
    result = CliRunner().invoke(main, ["--regels", str(REGELS), "validate", str(folder)])
    assert result.exit_code == 2
    assert "hoofdstuk-2-wmo.yaml:" in result.output and "param.bestaat_niet" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("files", "voorziening"),
    [(IIT_600, "individuele_inkomenstoeslag"), (MINIMA_120, "huishoudelijke_ondersteuning")],
    ids=["iit-400-600", "minimagrens-110-120"],
)
def test_regress_at_default_size_sees_a_one_parameter_draft(
    tmp_path: Path, files: dict[str, str], voorziening: str
) -> None:
    """The changes the issue found unseen: a raised IIT amount, a raised minima limit."""
    draft = _draft(tmp_path / "draft", files)
    result = CliRunner().invoke(
        main,
        [
            "--regels",
            str(REGELS),
            "regress",
            "2026-04-01",
            str(draft),
            "--format",
            "json",
            "--zonder-voorbeelden",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    changed = {v["voorziening"]: v["gewijzigd"] for v in report["per_voorziening"]}
    assert changed[voorziening] > 0


def test_population_reaches_every_outcome_the_rules_can_produce() -> None:
    """Households are steered at each deciding rule: grants, each refusal ground, each
    verwijzing and each contribution regime are reached, under both versions."""
    a = load_regelset(REGELS, versie="2026-04-01")
    b = load_regelset(REGELS, versie="2027-01-01")
    report = regress(a, b, aantal=1000, seed_value=0, peildatum=dt.date(2027, 1, 1), examples=False)
    reached = {(d.voorziening, d.regel): (d.aantal_a, d.aantal_b) for d in report.dekking}
    grants = {
        (d.voorziening, d.uitkomst): (d.aantal_a or 0) + (d.aantal_b or 0)
        for d in report.dekking
        if d.uitkomst.startswith("toegekend")
    }
    for v in ("begeleiding_individueel", "individuele_inkomenstoeslag", "jeugdhulp_pgb"):
        assert (
            grants[(v, "toegekend zonder bijdrage")] > 0
            or grants[(v, "toegekend met bijdrage")] > 0
        )
    assert grants[("huishoudelijke_ondersteuning", "toegekend met bijdrage")] > 0
    # the light-HO change of 2027 without a filter, and no request for a voorziening one lacks
    assert reached[("huishoudelijke_ondersteuning", "wmo-ho-licht-algemeen")][1] > 0
    assert report.niet_vergeleken == ["huishoudelijke_ondersteuning_licht"]
    assert all(o.van != "niet in catalogus" for o in report.overgangen)
    moved = {
        (o.van, o.naar)
        for o in report.overgangen
        if o.voorziening == "huishoudelijke_ondersteuning"
    }
    assert ("toegekend", "afgewezen → huishoudelijke_ondersteuning_licht") in moved
    # each refusal ground of the IIT and each contribution regime of a Wmo maatwerk request
    for rule in (
        "iit-te-jong",
        "iit-aow-leeftijd",
        "iit-inkomen-te-hoog",
        "iit-vermogen-te-hoog",
        "iit-laag-inkomen-te-kort",
        "iit-eerder-verleend",
    ):
        assert reached[("individuele_inkomenstoeslag", rule)][0], rule
    for rule in (
        "vrijstelling-minima",
        "vrijstelling-partner-onder-aow",
        "vrijstelling-wlz-bijdrage",
        "vrijstelling-betalingscapaciteit",
    ):
        assert reached[("begeleiding_individueel", rule)][0], rule
    assert reached[("begeleiding_individueel", "wmo-abonnementstarief")][0]
    assert reached[("begeleiding_individueel", "wmo-inkomensafhankelijke-bijdrage")][1]
    # an outcome no household can reach is named, not hidden: support the Jeugdwet also
    # gives starts at 18 (art. 2.1 lid 3), so its client is never under 18 at the ingang
    assert any(
        "begeleiding_individueel" in text and "vrijstelling-jonger-dan-18" in text
        for text in report.niet_bereikt
    )
    # for a hulpmiddel or a woningaanpassing the under-18 exemption is reached
    assert reached[("woningaanpassing", "vrijstelling-jonger-dan-18")][0]


def test_generated_households_are_consistent() -> None:
    """Adults apply, children are at least 16 years younger, dates are in procedure order."""
    from verordening_engine.versies.households import random_households

    rs = [load_regelset(REGELS, versie=v).compiled for v in ("2026-04-01", "2027-01-01")]
    day = dt.date(2027, 1, 1)
    for case in random_households(rs, day, 400, 5):
        leden = case["huishouden"]["leden"]
        born = {lid["rol"]: lid["geboortedatum"] for lid in leden if lid["rol"] != "kind"}
        assert born["aanvrager"] <= day.replace(year=day.year - 18)
        if "partner" in born:
            assert born["partner"] <= day.replace(year=day.year - 18)
        for lid in leden:
            if lid["rol"] == "kind":
                assert all(
                    lid["geboortedatum"] > b.replace(year=b.year + 16) for b in born.values()
                )
        for aanvraag in case["aanvragen"]:
            facts = aanvraag["feiten"]
            for value in facts.values():
                if isinstance(value, dt.date):
                    assert value <= day
            if "meldingsdatum" in facts and "aanvraagdatum" in facts:
                assert facts["meldingsdatum"] <= facts["aanvraagdatum"]


@pytest.mark.parametrize(
    ("a", "b"), [("2025-01-01", "2026-04-01"), ("2026-04-01", "2027-01-01")], ids=str
)
def test_generated_households_are_valid_cases_that_both_versions_decide(a: str, b: str) -> None:
    """Every generated household passes the declared input checks of both versions (no
    VerordeningError) and gives every fact a deciding rule needs: no request is left
    undecided, which regress would otherwise count as a change of the rules."""
    from verordening_engine.versies.households import random_households, restrict

    versions = [load_regelset(REGELS, versie=v) for v in (a, b)]
    day = versions[1].compiled.meta.geldig_vanaf
    cases = random_households([r.compiled for r in versions], day, 150, 11)
    for regelset in versions:
        for case in cases:
            restricted, _ = restrict(case, regelset.compiled)
            doc = regelset.evaluate(restricted, buiten_geldigheid=True)
            undecided = [
                (x.voorziening, [o.feit for o in x.ontbrekende_gegevens])
                for x in doc.besluiten
                if x.uitkomst is None
            ]
            assert undecided == [], (regelset.versie, case["casus"], undecided)


def test_household_bijdrage_counts_once_per_client_unit() -> None:
    """Wmo 2.1.4a lid 4: two maatwerkvoorzieningen of one client unit pay one amount."""
    from verordening_engine.versies.regression import household_contribution

    def granted(rid: str, bedrag: str, unit: str | None) -> dict[str, object]:
        return {
            "aanvraag": rid,
            "uitkomst": "toegekend",
            "eigen_bijdrage": {"bedrag": bedrag, "per": "maand"},
            "huishouden_bedrag": {"id": unit, "bedrag": "21.80"} if unit else None,
        }

    together = [granted("a1", "21.80", "bijdrage-p1-p2"), granted("a2", "21.80", "bijdrage-p1-p2")]
    assert household_contribution(together) == 21_80
    other = granted("a3", "10.00", None)
    assert household_contribution([*together, other, None]) == 31_80


def test_regress_report_formats_hold_the_same_numbers(tmp_path: Path) -> None:
    draft = _draft(tmp_path / "minima-120", MINIMA_120)
    base = [
        "--regels",
        str(REGELS),
        "regress",
        "2026-04-01",
        str(draft),
        "--aantal",
        "200",
        "--voorziening",
        "begeleiding_individueel",
        "--voorziening",
        "wasservice",
    ]
    data = json.loads(CliRunner().invoke(main, [*base, "--format", "json"]).output)
    markdown = CliRunner().invoke(main, [*base, "--format", "markdown"]).output
    page = tmp_path / "rapport.html"
    result = CliRunner().invoke(main, [*base, "--format", "html", "--uitvoer", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text("utf-8")
    headline = (
        f"{data['huishoudens_gewijzigd']} huishoudens, {data['aanvragen_gewijzigd']} aanvragen"
    )
    assert headline in markdown and headline in html
    assert "geen voorspelling" in markdown and "geen voorspelling" in html
    for section in (
        "Per voorziening",
        "Overgangen",
        "Eigen bijdrage",
        "Per artikel",
        "Bereikte uitkomsten",
        "Kleinste voorbeelden",
    ):
        assert f"## {section}" in markdown and f"<h2>{section}" in html
    # self-contained: inline SVG charts, nothing fetched from elsewhere
    assert html.count("<svg") >= 2
    for external in ("<script", "<link", "src=", "@import", "@font-face"):
        assert external not in html
    # a minimal example is a short story, not a JSON dump
    assert "Wat ertoe doet:" in markdown and "inkomen pct sociaal minimum" in markdown
    assert '"huishouden":' not in markdown


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    import subprocess

    draft = _draft(tmp_path / "minima-120", MINIMA_120)
    page = tmp_path / "rapport.html"
    result = CliRunner().invoke(
        main,
        [
            "--regels",
            str(REGELS),
            "regress",
            "2026-04-01",
            str(draft),
            "--aantal",
            "150",
            "--voorziening",
            "begeleiding_individueel",
            "--zonder-voorbeelden",
            "--format",
            "html",
            "--uitvoer",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    shot = tmp_path / "rapport.png"
    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profiel'}",
            "--window-size=1200,1800",
            f"--screenshot={shot}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert shot.is_file() and shot.stat().st_size > 20_000, dom.stderr[-2000:]
    assert "<svg" in dom.stdout and "Regressie 2026-04-01" in dom.stdout


def test_check_finds_a_contribution_that_falls_as_income_rises(tmp_path: Path) -> None:
    """The metamorphic property catches a version whose minima limit was turned around,
    which pinned scenarios at one income cannot see."""
    import yaml

    rs = load_regelset(REGELS, versie="2026-04-01").compiled
    names = rs.source.meta.bestanden.hoofdstukken
    for file, chapter in zip(names, rs.source.hoofdstukken, strict=True):
        for artikel in chapter.artikelen:
            if any(r.bepaal and "minimahuishouden" in r.bepaal for r in artikel.regels):
                found = (file, chapter, artikel)
    file, chapter, artikel = found
    data = artikel.model_dump(mode="json", exclude_none=True, by_alias=True)
    for regel in data["regels"]:
        if "minimahuishouden" in regel.get("bepaal", {}):
            text = regel["bepaal"]["minimahuishouden"]
            regel["bepaal"]["minimahuishouden"] = text.replace("<=", ">")
    partial = {"nummer": chapter.nummer, "titel": chapter.titel, "artikelen": [data]}
    draft = _draft(tmp_path / "omgekeerd", {file: yaml.safe_dump(partial, allow_unicode=True)})
    result = CliRunner().invoke(
        main, ["--regels", str(REGELS), "check", str(draft), "--aantal", "60"]
    )
    assert result.exit_code == 1
    assert "GESCHONDEN bijdrage-stijgt-niet-dalend-met-inkomen" in " ".join(result.output.split())
    # the original keeps the property
    ok = CliRunner().invoke(
        main, ["--regels", str(REGELS), "check", "2026-04-01", "--aantal", "30"]
    )
    assert ok.exit_code == 0, ok.output
    assert "ok volgorde-en-ids-leden" in " ".join(ok.output.split())


def test_diff_of_a_draft_shows_words_users_and_stale_text(tmp_path: Path) -> None:
    """A raised minima limit: which articles use it, and the article text that still says
    110%; a changed condition shown word by word."""
    import yaml

    rs = load_regelset(REGELS, versie="2026-04-01").compiled
    names = rs.source.meta.bestanden.hoofdstukken
    chapter = rs.source.hoofdstukken[1]
    artikel = next(a for a in chapter.artikelen if a.nummer == "2.1")
    data = artikel.model_dump(mode="json", exclude_none=True, by_alias=True)
    rule = next(r for r in data["regels"] if r["id"] == "wmo-jeugdwet-voorliggend")
    rule["als"] = rule["als"].replace("<", "<=")
    partial = {"nummer": chapter.nummer, "titel": chapter.titel, "artikelen": [data]}
    files = {**MINIMA_120, names[1]: yaml.safe_dump(partial, allow_unicode=True)}
    draft = _draft(tmp_path / "proef", files)
    result = CliRunner().invoke(
        main, ["--regels", str(REGELS), "diff", "2026-04-01", str(draft), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert [a["artikel"] for a in d["artikelen"]] == ["2.1"]
    assert d["artikelen"][0]["wijzigingen"] == [
        "wmo-jeugdwet-voorliggend: als: leeftijd_maanden [-<-] {+<=+} "
        "param.wmo_aanvraag_vanaf_overgang_maanden"
    ]
    (param,) = d["parameters"]
    assert param["parameter"] == "minimagrens_eigen_bijdrage_procent"
    assert "2.6" in param["artikelen"]
    assert any(w.startswith("artikel 2.6: de tekst noemt 110%") for w in d["waarschuwingen"])


def test_scenarios_under_a_draft_outside_regels(tmp_path: Path) -> None:
    """`scenarios --versie DRAFT` decides the scenarios of the amended version under the draft:
    the ones the raised minima limit changes fail, the others pass."""
    draft = _draft(tmp_path / "minima-120", MINIMA_120)
    result = CliRunner().invoke(
        main, ["--regels", str(REGELS), "scenarios", str(SCENARIOS), "--versie", str(draft)]
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "wmo-10-net-boven-minimagrens.yaml" in text
    assert "expected ('21.80', 'maand'), got ('0.00', 'maand')" in text


def test_every_one_parameter_draft_that_changes_a_scenario_is_seen_by_regress() -> None:
    """The mutation test of the issue: each parameter of 2026-04-01 one step up and down, as a
    draft; where that changes some scenario's outcome, `regress` at its default size must
    report a change. None may be missed: among them a second recidive level and a previous
    schuldhulp traject between three and four years back. (Comparisons flipped `<` <-> `<=`:
    the next test.)"""
    from verordening_engine.versies.mutation import mutatietoets

    original = load_regelset(REGELS, versie="2026-04-01")
    report = mutatietoets(
        original,
        aantal=1000,
        scenarios=SCENARIOS,
        only=lambda m: m.soort == "parameter",
        needs_scenario_change=True,
    )
    assert len(report.uitslagen) > 40  # every parameter that some scenario depends on
    seen = {u.id for u in report.uitslagen if u.gezien}
    assert {
        "iit_bedrag_alleenstaande-omhoog",
        "iit_bedrag_alleenstaande-omlaag",
        "minimagrens_eigen_bijdrage_procent-omhoog",
        "minimagrens_eigen_bijdrage_procent-omlaag",
        "verlaging_arbeid_recidive_maanden-omhoog",
        "verlaging_arbeid_recidive_maanden-omlaag",
        "shv_wachttermijn_jaren-omhoog",
    } <= seen
    missed = [u.wijziging for u in report.uitslagen if u.gemist]
    assert missed == []


def test_every_comparison_flip_that_changes_a_scenario_is_seen_by_regress() -> None:
    """Each comparison of 2026-04-01 flipped `<` <-> `<=` (`>` <-> `>=`), as a draft; where
    that changes some scenario's outcome, `regress` at its default size must see it. A flip
    shows only at equality: among them a single without minor children granted the IIT
    (art. 4.1, `> 0` -> `>= 0` makes her an alleenstaande ouder) and an income exactly at
    the IIT limit (art. 4.3)."""
    from verordening_engine.versies.mutation import mutatietoets

    original = load_regelset(REGELS, versie="2026-04-01")
    report = mutatietoets(
        original,
        aantal=1000,
        scenarios=SCENARIOS,
        only=lambda m: m.soort == "vergelijking",
        needs_scenario_change=True,
    )
    assert len(report.uitslagen) > 5
    seen = {u.id for u in report.uitslagen if u.gezien}
    assert {"wi-leefvorm-bepaal.wi_leefvorm-1", "iit-inkomen-te-hoog-als-1"} <= seen
    missed = [u.wijziging for u in report.uitslagen if u.gemist]
    assert missed == []


def test_one_change_drafts_change_exactly_one_thing() -> None:
    from verordening_engine.versies.mutation import (
        _flips,
        comparison_mutants,
        parameter_mutants,
    )

    assert [t for t, _, _ in _flips("x < param.a and y >= 3")] == [
        "x <= param.a and y >= 3",
        "x < param.a and y > 3",
    ]
    assert [t for t, _, _ in _flips("param.a <= leeftijd < param.b")] == [
        "param.a < leeftijd < param.b",
        "param.a <= leeftijd <= param.b",
    ]
    rs = load_regelset(REGELS, versie="2026-04-01").compiled
    day = dt.date(2026, 4, 1)
    params = list(parameter_mutants(rs, day))
    assert len(params) == 2 * len([p for p in rs.parameters if rs.param_at(p, day)])
    minima = [m.wijziging for m in params if m.id.startswith("minimagrens")]
    assert minima == [
        "minimagrens_eigen_bijdrage_procent: 110 → 121",
        "minimagrens_eigen_bijdrage_procent: 110 → 99",
    ]
    flips = [m for m in comparison_mutants(rs) if m.id.startswith("wmo-jeugdwet-voorliggend")]
    assert len(flips) == 1 and "'<' → '<='" in flips[0].wijziging
