"""Rule files: loading, validation and compilation; bad rule files give a located message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import load_regelset_folder
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError

from .conftest import REGELS, SCENARIOS, draft_over_copy, edit, line_of


def validate(folder: Path) -> VerordeningError:
    with pytest.raises(VerordeningError) as info:
        load_regelset_folder(folder)
    return info.value


def test_broken_expression_is_located(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "als: aanvraag.eigen_kracht_volstaat", "als: aanvraag.eigen_kracht_volstaat +")
    error = validate(regels_copy)
    [problem] = error.problems
    assert problem.file.endswith("hoofdstuk-2-wmo.yaml")
    assert problem.line == line_of(chapter, "aanvraag.eigen_kracht_volstaat +")
    assert problem.field.endswith(".als")
    assert "syntax error" in problem.message


def test_type_error_found_at_load_not_at_evaluation(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(
        chapter,
        "als: aanvraag.sociaal_netwerk_volstaat",
        "als: aanvraag.sociaal_netwerk_volstaat > 3",
    )
    [problem] = validate(regels_copy).problems
    assert "cannot compare waarheid with getal" in problem.message
    assert problem.line == line_of(chapter, "sociaal_netwerk_volstaat > 3")


def test_unknown_key_and_unknown_fact_all_reported(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(
        chapter,
        "    titel: Criteria voor een maatwerkvoorziening",
        "    titel: Criteria voor een maatwerkvoorziening\n    titl: typo",
    )
    params = regels_copy / "parameters.yaml"
    edit(params, 'waarde: "21.80"', "waarde: 21.80")
    problems = validate(regels_copy).problems
    messages = [(Path(p.file).name, p.message) for p in problems]
    assert ("hoofdstuk-2-wmo.yaml", "unknown key (not part of this file's format)") in messages
    # the money value is a float in YAML: refused with a hint, not silently rounded
    assert any(name == "parameters.yaml" and "two decimals" in msg for name, msg in messages)


def test_unknown_reference_to_rule_and_voorziening(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "uitzondering_op: [av-bijdrage]", "uitzondering_op: [av-bijdrag]")
    edit(chapter, "voor: {kenmerk: rolstoel}", "voor: {ids: [driewielfiets]}")
    messages = {p.message for p in validate(regels_copy).problems}
    assert "unknown rule 'av-bijdrag' (did you mean 'av-bijdrage'?)" in messages
    assert "voorziening 'driewielfiets' is not in the catalogue" in messages


def test_priority_cycle_is_refused(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(
        chapter,
        "uitzondering_op: [av-bijdrage]",
        "uitzondering_op: [av-bijdrage]\n        gaat_voor: []",
    )
    edit(
        chapter,
        "          bedrag: min(voorziening.tarief, voorziening.kostprijs)",
        "          bedrag: min(voorziening.tarief, voorziening.kostprijs)\n"
        "        gaat_voor: [av-vrijstelling-minima]",
    )
    messages = [p.message for p in validate(regels_copy).problems]
    assert any("priorities form a cycle" in m for m in messages)


def test_derived_fact_cycle_is_refused(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    old = "max(peildatum, datum_meerderjarig)"
    edit(chapter, old, old[:-1] + ", ingangsdatum_ondersteuning)")
    messages = [p.message for p in validate(regels_copy).problems]
    assert any("cycle" in m and "ingangsdatum_ondersteuning" in m for m in messages), messages


def test_cli_validate_broken_regelset_exit_2(regels_copy: Path) -> None:
    chapter = regels_copy / "hoofdstuk-2-wmo.yaml"
    edit(chapter, "als: aanvraag.sociaal_netwerk_volstaat", "als: sociaal_netwerk")
    result = CliRunner().invoke(main, ["validate", str(regels_copy.parent.parent)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    line = line_of(chapter, "als: sociaal_netwerk")
    assert f"hoofdstuk-2-wmo.yaml:{line}:" in result.output
    assert "unknown name 'sociaal_netwerk'" in result.output


def test_scenarios_folder_exists() -> None:
    assert len(list(SCENARIOS.glob("*.yaml"))) >= 12


def test_2025_version_describes_the_situation_before_april_2026() -> None:
    """The former verordeningen: no inwerkingtreding 2026, no self-revocation, no 2026 title."""
    from verordening_engine.regels.loading import load_source

    source = load_source(REGELS / "dordrecht" / "2025-01-01")
    texts = {a.nummer: a.tekst for h in source.hoofdstukken for a in h.artikelen}
    everything = "\n".join(texts.values())
    assert "treedt in werking op 1 april 2026" not in everything
    assert "Dordrecht 2026" not in everything
    assert "worden ingetrokken" not in texts["6.2"]
    assert "eerste plaats de verantwoordelijkheid van de ouders" not in texts["3.6"]
    assert "2026" not in source.meta.titel.replace("vóór 1 april 2026", "")


def test_default_without_legal_reason_is_refused(regels_copy: Path) -> None:
    vocab = regels_copy / "begrippen-jeugd.yaml"
    text = vocab.read_text("utf-8")
    start = text.index("    kan_zelfstandig_reizen:")
    reason = text.index("      standaard_reden:", start)
    end = text.index("    ouders_kunnen_vervoeren:", start)
    vocab.write_text(text[:reason] + text[end:], "utf-8")
    [problem] = validate(regels_copy).problems
    assert problem.file.endswith("begrippen-jeugd.yaml")
    assert "kan_zelfstandig_reizen" in problem.field
    assert "standaard_reden" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "      niet_voor: [aanvraag.meldingsdatum]\n      niet_na: [peildatum]\n"
            "    draagkracht",
            "      niet_voor: [aanvraag.meldingsdatun]\n      niet_na: [peildatum]\n"
            "    draagkracht",
            "unknown name 'aanvraag.meldingsdatun'",
        ),
        (
            "      niet_na: [peildatum]\n    aanvraagdatum:",
            "      niet_na: [aanvraag.beperking_vastgesteld]\n    aanvraagdatum:",
            "expected datum",
        ),
        (
            "      bereik: {min: '0.00'}\n    kosten_pgb_budgetplan:",
            "      bereik: {min: 0}\n    kosten_pgb_budgetplan:",
            "a bound of a bedrag fact is text",
        ),
        (
            "      bereik: {min: '0.00'}\n    kosten_pgb_budgetplan:",
            "      bereik: {min: '0.00'}\n      alleen_als: aanvraag.leveringsvorm\n"
            "    kosten_pgb_budgetplan:",
            "expected waarheid",
        ),
        (
            "    eis: jaren_tussen(persoon.geboortedatum, peildatum) >= 18",
            "    eis: jaren_tussen(partner.geboortedatum, peildatum) >= 18",
            "unknown name 'partner.geboortedatum'",
        ),
    ],
)
def test_input_checks_are_type_checked_at_load(
    regels_copy: Path, old: str, new: str, fragment: str
) -> None:
    vocab = regels_copy / "begrippen.yaml"
    edit(vocab, old, new)
    [problem] = validate(regels_copy).problems
    assert problem.file.endswith("begrippen.yaml")
    assert problem.line is not None
    assert fragment in problem.message


def test_problems_under_a_draft_are_located_in_the_file_that_states_them(
    tmp_path: Path,
) -> None:
    """A draft states only its changes: a problem in an entry it takes from its base is
    reported at the base's file and line, one in what the draft states at the draft's."""
    base, draft = draft_over_copy(tmp_path)
    own = draft / "parameters-werk-inkomen.yaml"
    own.write_text(
        "parameters:\n"
        "  iit_bedrag_alleenstaande:\n"
        "    omschrijving: Individuele inkomenstoeslag voor een alleenstaande.\n"
        "    eenheid: euro_per_jr\n"
        "    waarden:\n"
        "      - vanaf: 2025-01-01\n"
        '        waarde: "600.00"\n'
        "        bron: gemodelleerd\n"
        "        status: ongeverifieerd\n",
        "utf-8",
    )
    rules = base / "hoofdstuk-4-werk-en-inkomen.yaml"
    edit(rules, "          leefvorm: wi_leefvorm\n", "          leefvorm: wi_leefvormx\n")
    params = base / "parameters-werk-inkomen.yaml"
    edit(params, "  iit_bedrag_gezin:\n    omschrijving", "  iit_bedrag_gezin:\n    omschrijvingx")
    first = CliRunner().invoke(main, ["validate", str(draft)])
    assert first.exit_code == 2
    found = "".join(first.output.split())
    assert f"{own}:4:" in found  # the draft's own mistake, in the draft
    assert f"{params}:{line_of(params, 'omschrijvingx')}:" in found  # the base's, in the base
    assert f"{draft}/parameters-werk-inkomen.yaml:{line_of(params, 'omschrijvingx')}" not in found
    # with the file mistakes mended, an expression the draft takes from its base
    edit(own, "euro_per_jr", "euro_per_jaar")
    edit(params, "omschrijvingx", "omschrijving")
    second = CliRunner().invoke(main, ["validate", str(draft)])
    assert second.exit_code == 2
    found = "".join(second.output.split())
    assert f"{rules}:{line_of(rules, 'wi_leefvormx')}:" in found
    assert "unknownname'wi_leefvormx'" in found
