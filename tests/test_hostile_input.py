"""Hostile input as a user meets it: strict YAML 1.2 reading, only documented spellings,
located and unforgeable messages, all problems in one run, bounded reads, bad stdin, values
out of range, a Casus changed behind the library's back, and edits the cache must see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine.api import evaluate, load_regelset_folder, read_case
from verordening_engine.casus.model import Casus
from verordening_engine.cli import main
from verordening_engine.errors import MAX_SHOWN, VerordeningError

from .conftest import REGELS, ROOT, SCENARIOS, VERSIE_2026, edit

CASE = """casus: streng
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
      aanvraagdatum: 2026-04-20
      meldingsdatum: 2026-04-01
"""
BIJSTAND = SCENARIOS / "wi-19-bijzondere-bijstand-170-euro.yaml"


def _cli(*args: str, regels: Path = REGELS) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--regels", str(regels), *args])
    return result.exit_code, result.output


def _case(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "casus.yaml"
    path.write_text(text, "utf-8")
    return path


def _decisions(tmp_path: Path, text: str) -> list[tuple[str, str | None]]:
    document = evaluate(_case(tmp_path, text), regels=REGELS)
    return [(b.uitkomst, str(b.eigen_bijdrage)) for b in document.besluiten]


def test_leading_zero_is_decimal_as_in_yaml_1_2(tmp_path: Path) -> None:
    # YAML 1.1 read 0135 as octal 93 (a minima household paying nothing)
    plain = _decisions(tmp_path, CASE.replace("150", "135"))
    zero = _decisions(tmp_path, CASE.replace("150", "0135"))
    assert zero == plain


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1:35", "whole number"),  # YAML 1.1 sexagesimal 95; YAML 1.2 text
        ("0x87", "plain decimal digits"),
        ("0o207", "plain decimal digits"),
        ("1e3", "whole number"),
        ("9" * 5000, "more than 30 digits"),
    ],
)
def test_numbers_only_as_plain_decimal_digits(tmp_path: Path, value: str, message: str) -> None:
    code, output = _cli("evaluate", str(_case(tmp_path, CASE.replace("150", value))))
    assert code == 2, output
    assert "inkomen_pct_sociaal_minimum" in output
    assert message in output


@pytest.mark.parametrize("value", ["1700000000", "'2026-5-1'", "2026-05-01T00:00:00", "20260501"])
def test_peildatum_only_as_yyyy_mm_dd(tmp_path: Path, value: str) -> None:
    code, output = _cli("evaluate", str(_case(tmp_path, CASE.replace("2026-05-01", value, 1))))
    assert code == 2, output
    assert "[peildatum]" in output and "YYYY-MM-DD" in output


@pytest.mark.parametrize("amount", ["1e3", " 1_700 ", "١٧٠.٠٠", "170.001", "0x10", "17 0.00"])
def test_amounts_only_as_documented(tmp_path: Path, amount: str) -> None:
    text = BIJSTAND.read_text("utf-8").replace('"170.00"', f'"{amount}"')
    code, output = _cli("evaluate", str(_case(tmp_path, text)))
    assert code == 2, output
    assert "bijzondere_kosten" in output


@pytest.mark.parametrize(
    "tagged",
    [
        "feiten: !!python/object:os.system {inkomen_pct_sociaal_minimum: 150}",
        "feiten: !!set {inkomen_pct_sociaal_minimum: 150}",
        "feiten: !custom {inkomen_pct_sociaal_minimum: 150}",
        "feiten: !!omap [{inkomen_pct_sociaal_minimum: 150}]",
        "feiten: {inkomen_pct_sociaal_minimum: !!binary MTUw}",
        "feiten: {inkomen_pct_sociaal_minimum: !!timestamp 150}",
    ],
)
def test_non_core_tags_are_located_errors(tmp_path: Path, tagged: str) -> None:
    text = CASE.replace("feiten: {inkomen_pct_sociaal_minimum: 150}", tagged)
    path = _case(tmp_path, text)
    code, output = _cli("evaluate", str(path))
    assert code == 2, output
    assert f"{path}:6:" in output and "is not allowed" in output


def test_tag_directive_is_refused(tmp_path: Path) -> None:
    text = "%TAG !e! tag:example.com,2026:\n---\n" + CASE.replace(
        "feiten: {inkomen", "feiten: !e!feiten {inkomen"
    )
    code, output = _cli("evaluate", str(_case(tmp_path, text)))
    assert code == 2
    assert "tag 'tag:example.com,2026:feiten' is not allowed" in output


def test_core_tags_and_yaml_1_2_words_read_as_editors_read_them(tmp_path: Path) -> None:
    from verordening_engine.reading.yaml_loading import parse_text

    doc = parse_text("a: !!str 12\nb: !!int '12'\nc: yes\nd: ~\ne: 2026-05-01\nf: 012\n", "x")
    assert doc.data == {"a": "12", "b": 12, "c": "yes", "d": None, "e": "2026-05-01", "f": 12}


def test_five_mistakes_in_one_run(regels_copy: Path) -> None:
    # a rule file with five mistakes of reading used to need five runs
    chapter = regels_copy / "hoofdstuk-3-jeugd.yaml"
    text = chapter.read_text("utf-8")
    text = text.replace("nummer: 3\n", "nummer: 3\nnummer: 4\n", 1)  # duplicate key
    text = text.replace("titel: Jeugdhulp (Jeugdwet)", "titel: !!binary SmV1Z2Q=", 1)
    text = text.replace("soort: wet", "soort: !vreemd wet", 1)
    text += "extra: 0x1F\nwaar: !!bool misschien\n"
    chapter.write_text(text, "utf-8")
    code, output = _cli("validate", str(regels_copy))
    assert code == 2
    lines = [line for line in output.splitlines() if "hoofdstuk-3-jeugd.yaml" in line]
    assert len(lines) >= 5, output
    assert any("duplicate key 'nummer'" in line for line in lines)
    assert any("!!binary" in line for line in lines)
    assert any("!vreemd" in line for line in lines)
    assert any("plain decimal digits" in line for line in lines)
    assert any("'misschien' is not true or false" in line for line in lines)


def test_names_cannot_forge_lines_or_flood_the_output(tmp_path: Path) -> None:
    facts = "\n".join(f"      onbekend_{i}: true" for i in range(300))
    forged = '      "x\\nfout: alles in orde\\u001b[2J\\u202e": true\n'
    text = CASE.replace("      beperking_vastgesteld: true\n", forged + facts + "\n")
    code, output = _cli("evaluate", str(_case(tmp_path, text)))
    assert code == 2
    lines = output.splitlines()
    assert not any(line.startswith("fout: alles in orde") for line in lines)
    assert "\x1b" not in output and "\u202e" not in output
    assert "\\nfout: alles in orde\\x1b[2J\\u202e" in output
    assert len(lines) == MAX_SHOWN + 1
    assert "en nog" in lines[-1] and "problemen" in lines[-1]
    assert max(len(line) for line in lines) < 1000


def test_did_you_mean_for_unknown_names(tmp_path: Path) -> None:
    text = CASE.replace("beperking_vastgesteld", "beperking_vastgestelt").replace(
        "huishoudelijke_ondersteuning", "huishoudelijke_ondersteuninf"
    )
    code, output = _cli("evaluate", str(_case(tmp_path, text)))
    assert code == 2
    assert "did you mean 'beperking_vastgesteld'" in output
    assert "did you mean 'huishoudelijke_ondersteuning'" in output


@pytest.mark.parametrize("where", ["peildatum", "fact"])
def test_far_dates_are_located_input_errors(tmp_path: Path, where: str) -> None:
    if where == "peildatum":
        text = CASE.replace("peildatum: 2026-05-01", "peildatum: 9999-12-31")
    else:
        text = CASE.replace("aanvraagdatum: 2026-04-20", "aanvraagdatum: 9999-12-31")
    path = _case(tmp_path, text)
    code, output = _cli("evaluate", str(path))
    assert code == 2, output
    assert f"{path}:" in output and "fout in de regels" not in output


def test_date_arithmetic_overflow_is_a_located_input_error(
    regels_copy: Path, tmp_path: Path
) -> None:
    edit(
        regels_copy / "hoofdstuk-1-algemeen.yaml",
        "plus_jaren(persoon.geboortedatum, param.meerderjarigheid_jaren)",
        "plus_jaren(persoon.geboortedatum, "
        "param.meerderjarigheid_jaren + huishouden.inkomen_pct_sociaal_minimum)",
    )
    # the largest income the case may give (binding refuses more): 10,018 years is too far
    path = _case(tmp_path, CASE.replace("150", "10000"))
    code, output = _cli("evaluate", str(path), regels=regels_copy)
    assert code == 2, output
    assert f"{path}:8:5: [aanvragen[0]] value out of the range" in output
    assert "inkomen_pct_sociaal_minimum = 10000" in output
    assert "fout in de regels" not in output
    regelset = load_regelset_folder(regels_copy)
    for engine in ("durable", "fixpoint"):  # generated code and the reference firing
        for explain in (True, False):
            with pytest.raises(VerordeningError, match=r":8:5: \[aanvragen\[0\]\] value out"):
                regelset.evaluate(path, engine=engine, explain=explain)


def _run_cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "verordening_engine", "--regels", str(REGELS), *args]
    return subprocess.run(command, capture_output=True, timeout=120, cwd=ROOT, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (CASE.encode("utf-16"), b"UTF-16"),
        (b"casus: \xff\xfe\n", b"not UTF-8"),
        (None, b"no standard input"),
    ],
)
def test_bad_stdin_exit_2(stdin: bytes | None, message: bytes) -> None:
    if stdin is None:  # stdin closed
        result = subprocess.run(
            f"{sys.executable} -m verordening_engine --regels {REGELS} evaluate - <&-",
            shell=True,
            capture_output=True,
            timeout=120,
            cwd=ROOT,
        )
    else:
        result = _run_cli("evaluate", "-", input=stdin)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert b"interne fout" not in result.stderr and b"Traceback" not in result.stderr


def test_reads_are_bounded_by_bytes_read(tmp_path: Path) -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        result = _run_cli("evaluate", device)
        assert result.returncode == 2, device
        assert b"larger than" in result.stderr or b"not UTF-8" in result.stderr
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"yes 'a: b' > {fifo}"], stderr=subprocess.DEVNULL)
    try:
        result = _run_cli("evaluate", str(fifo))
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 2
    assert b"larger than 2000000 bytes" in result.stderr


def test_a_changed_casus_is_revalidated() -> None:
    regelset = load_regelset_folder(VERSIE_2026)
    casus, _ = read_case(SCENARIOS / "wmo-02-jongere-17-5-jaar-begeleiding.yaml")
    object.__setattr__(casus, "peildatum", "gisteren")
    with pytest.raises(VerordeningError, match="peildatum"):
        regelset.evaluate(casus)
    casus, _ = read_case(SCENARIOS / "wmo-02-jongere-17-5-jaar-begeleiding.yaml")
    casus.aanvragen[0].feiten["beperking_vastgesteld"] = {"nested": "dict"}  # type: ignore[assignment]
    with pytest.raises(VerordeningError, match="beperking_vastgesteld"):
        regelset.evaluate(casus)
    with pytest.raises(VerordeningError):
        regelset.evaluate(Casus.model_construct(casus="leeg"))
    constructed = Casus.model_construct(
        casus="x",
        peildatum="2026-05-01",
        huishouden={"leden": [{"id": "p1", "geboortedatum": "1950-01-01", "rol": "aanvrager"}]},
        aanvragen=[{"id": "a1", "persoon": "p1", "voorziening": "nergens"}],
    )
    with pytest.raises(VerordeningError, match="unknown voorziening 'nergens'"):
        regelset.evaluate(constructed)


def test_same_size_edit_with_old_mtime_is_not_served_stale(regels_copy: Path) -> None:
    params = regels_copy / "parameters.yaml"
    before = load_regelset_folder(regels_copy)
    stat = params.stat()
    text = params.read_text("utf-8")
    changed = text.replace('waarde: "21.80"', 'waarde: "99.99"', 1)  # same size
    assert changed != text
    params.write_text(changed, "utf-8")
    os.utime(params, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert params.stat().st_size == stat.st_size
    after = load_regelset_folder(regels_copy)
    assert after.compiled.sha256 != before.compiled.sha256
    assert after is not before


def test_a_case_with_model_and_vocabulary_mistakes_reports_all_in_one_run(
    tmp_path: Path,
) -> None:
    text = (
        CASE.replace("geboortedatum: 1950-01-01", "geboortedatum: 1950-13-01")
        .replace("beperking_vastgesteld: true", "beperking_vastgestelt: true")
        .replace("inkomen_pct_sociaal_minimum: 150", "inkomen_pct_sociaal_minimum: '150'")
        .replace("persoon: p1", "persoon: p1\n    extra: 1")
    )
    path = _case(tmp_path, text)
    code, output = _cli("evaluate", str(path))
    assert code == 2
    assert "[huishouden.leden[0].geboortedatum]" in output
    assert "[aanvragen[0].extra] unknown key" in output
    assert "unknown fact for aanvraag: 'beperking_vastgestelt'" in output
    assert "[huishouden.feiten.inkomen_pct_sociaal_minimum] expected a whole number" in output
    assert len(output.splitlines()) == 4, output
