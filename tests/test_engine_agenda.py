"""The durable agenda and the fast paths: limits, interrupts, fork, decision-only, snapshots.

What a user of the engine would hit: a large rule set that validates must run (not abort
the process), Ctrl-C inside a rule is an interrupt and not a rule failure, a forked child
can evaluate while a thread of the parent was evaluating, decision-only output equals the
explained decision without `artikelen`, and the fast path decides exactly as the
reference path on generated households.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from verordening_engine.api import Regelset, load_regelset, load_regelset_folder
from verordening_engine.engine import durable_agenda, evaluation
from verordening_engine.errors import EvaluationError
from verordening_engine.versies.households import random_households, restrict

from .conftest import REGELS, SCENARIOS

CASE = SCENARIOS / "wmo-15-wasservice-kostprijs.yaml"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("verordening")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=False)


def _decisions(doc: dict[str, Any], leave: tuple[str, ...] = ("artikelen",)) -> list[Any]:
    return [{k: v for k, v in b.items() if k not in leave} for b in doc["besluiten"]]


# ---------------------------------------------------------------- large rule sets


def _add_generated_rules(folder: Path, rules: int, chain: int) -> None:
    """`rules` rules on the voorziening wasservice: a chain of `chain` derived facts, each
    read by the next, and besluit rules that never apply (the decisions must not change)."""
    begrippen = folder / "begrippen.yaml"
    vocab = yaml.safe_load(begrippen.read_text("utf-8"))
    for i in range(chain):
        vocab["afgeleid"][f"keten_{i}"] = {
            "label": f"gegenereerd getal {i}",
            "type": "getal",
            "omschrijving": "Gegenereerd.",
        }
    begrippen.write_text(yaml.safe_dump(vocab, allow_unicode=True, sort_keys=False), "utf-8")
    chapter = folder / "hoofdstuk-2-wmo.yaml"
    data = yaml.safe_load(chapter.read_text("utf-8"))
    extra: list[dict[str, Any]] = []
    for i in range(chain):
        source = "huishouden.aantal_leden" if i == 0 else f"keten_{i - 1} + 1"
        extra.append(
            {
                "id": f"gen-keten-{i}",
                "voor": {"ids": ["wasservice"]},
                "bepaal": {f"keten_{i}": source},
                "uitleg": {"wel": "Gegenereerd."},
            }
        )
    for i in range(rules - chain):
        reads = f"keten_{chain - 1} < 0 or " if chain and i % 2 else ""
        extra.append(
            {
                "id": f"gen-besluit-{i}",
                "voor": {"ids": ["wasservice"]},
                "als": f"{reads}huishouden.inkomen_pct_sociaal_minimum > {100_000 + i}",
                "besluit": {"uitkomst": "afgewezen"},
                "uitleg": {"wel": "Gegenereerd."},
            }
        )
    data["artikelen"][0]["regels"].extend(extra)
    chapter.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.mark.parametrize(("rules", "chain"), [(1000, 0), (1000, 300)])
def test_a_thousand_rules_on_one_voorziening_run(regels_copy: Path, rules: int, chain: int) -> None:
    """Far beyond durable-rules' 64-entry Rete stack: validates, evaluates, no abort."""
    _add_generated_rules(regels_copy, rules, chain)
    root = str(regels_copy.parent.parent)
    assert _cli("--regels", root, "validate").returncode == 0
    done = _cli("--regels", root, "evaluate", str(CASE), "--format", "json")
    assert done.returncode == 0, done.stderr  # a signal would be negative
    expected = _cli("evaluate", str(CASE), "--format", "json")
    assert _decisions(json.loads(done.stdout)) == _decisions(json.loads(expected.stdout))
    steps = json.loads(done.stdout)["besluiten"][0]["artikelen"]
    assert sum(1 for s in steps if s["regel"].startswith("gen-")) == rules


def test_durable_error_code_is_a_located_evaluation_error(
    regelset: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = durable_agenda.durable_rules_engine.assert_fact
    calls = []

    def failing(handle: int, fact: str) -> Any:
        calls.append(fact)
        return (303, 0) if len(calls) == 2 else real(handle, fact)

    monkeypatch.setattr(durable_agenda.durable_rules_engine, "assert_fact", failing)
    with pytest.raises(EvaluationError, match=r"2026-04-01: durable-rules error code 303"):
        regelset.evaluate(CASE)
    monkeypatch.undo()
    assert regelset.evaluate(CASE).besluiten[0].uitkomst == "toegekend"  # still usable


# ---------------------------------------------------------------- interrupts and fork


def test_ctrl_c_inside_a_rule_is_an_interrupt_not_a_rule_failure(
    regelset: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = regelset.evaluate(CASE).model_dump_json()
    real = evaluation._fire_fast

    def interrupted(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(evaluation, "_fire_fast", interrupted)
    with pytest.raises(KeyboardInterrupt):
        regelset.evaluate(CASE)
    monkeypatch.setattr(evaluation, "_fire_fast", real)
    assert regelset.evaluate(CASE).model_dump_json() == before  # the engine is still sound


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_fork_while_another_thread_evaluates_does_not_deadlock_the_child(
    regelset: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, release = threading.Event(), threading.Event()
    real = evaluation._fire_fast

    def blocking(*args: Any) -> Any:
        if threading.current_thread().name == "evaluator":
            inside.set()
            release.wait(30)
        return real(*args)

    monkeypatch.setattr(evaluation, "_fire_fast", blocking)
    thread = threading.Thread(target=regelset.evaluate, args=(CASE,), name="evaluator")
    thread.start()
    assert inside.wait(30)  # the thread now holds the engine inside a durable action
    pid = os.fork()
    if pid == 0:  # the child: evaluate and report through the exit code
        try:
            ok = regelset.evaluate(CASE).besluiten[0].uitkomst == "toegekend"
        finally:
            os._exit(0 if ok else 1)
    try:
        deadline = time.monotonic() + 60
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if done[0] == 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child deadlocked on the engine lock")
        assert os.waitstatus_to_exitcode(done[1]) == 0
    finally:
        release.set()
        thread.join(30)


# ---------------------------------------------------------------- decisions


def test_decision_only_equals_the_explained_decision_without_artikelen(
    regelset: Regelset,
) -> None:
    """Without explanation no alternatives are searched (api: `explain=False`); every other
    field, the household bijdrage included, is the explained one."""
    for path in sorted(SCENARIOS.glob("wmo-*.yaml"))[:20]:
        try:
            full = json.loads(regelset.evaluate(path, alternatieven=False).model_dump_json())
        except Exception:  # scenarios that expect an input error
            continue
        lean = json.loads(regelset.evaluate(path, explain=False).model_dump_json())
        assert all(b["artikelen"] == [] for b in lean["besluiten"])
        assert _decisions(lean) == _decisions(full)
        assert {**lean, "besluiten": None} == {**full, "besluiten": None}


VERSIONS = {"2025-01-01": "2025-06-01", "2026-04-01": "2026-06-01", "2027-01-01": "2027-03-01"}


def _households() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i, (versie, peildatum) in enumerate(VERSIONS.items()):
        rs = load_regelset(REGELS, versie=versie).compiled
        day = dt.date.fromisoformat(peildatum)
        for case in random_households([rs], day, 25, 20261130 + i):
            case, _ = restrict(json.loads(json.dumps(case, default=str)), rs)
            out.append((versie, case))
    return out


def reference_steps(rs: Regelset, case: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(rs.evaluate(case, engine="fixpoint").model_dump_json())
    return doc


def _steps_by_rule(doc: dict[str, Any]) -> list[list[Any]]:
    return [sorted(b["artikelen"], key=lambda s: s["regel"]) for b in doc["besluiten"]]


def test_the_fast_path_decides_exactly_as_the_reference_path() -> None:
    """Generated households under each version (complete ones run generated code, those
    lacking a fact the reference firing): the durable path gives byte-identical decisions
    to the reference fixpoint, with and without explanation, and the same explained steps
    (the reference lists them in its own firing order)."""
    cases = _households()
    assert len(cases) == 75
    decided = 0
    for versie, case in cases:
        rs = load_regelset(REGELS, versie=versie)
        docs = {}
        for explain in (True, False):
            fast, reference = (
                json.loads(rs.evaluate(case, engine=e, explain=explain).model_dump_json())
                for e in ("durable", "fixpoint")
            )
            assert json.dumps(_decisions(fast)) == json.dumps(_decisions(reference)), case
            assert {**fast, "besluiten": None} == {**reference, "besluiten": None}
            docs[explain] = fast
        assert _steps_by_rule(docs[True]) == _steps_by_rule(reference_steps(rs, case))
        both = ("artikelen", "alternatieven")
        assert _decisions(docs[False], both) == _decisions(docs[True], both)
        decided += sum(b["uitkomst"] is not None for b in docs[True]["besluiten"])
    assert decided > 0  # not only undecided requests


def test_reloading_edited_rules_reuses_the_one_durable_ruleset(regels_copy: Path) -> None:
    first = load_regelset_folder(regels_copy)
    first.evaluate(CASE)
    created = durable_agenda.agenda()
    for i in range(3):
        meta = regels_copy / "regelset.yaml"
        meta.write_text(meta.read_text("utf-8") + f"\n# edit {i}\n", "utf-8")
        load_regelset_folder(regels_copy).evaluate(CASE)
    assert durable_agenda.agenda() is created


def test_batch_zonder_uitleg_gives_the_same_decisions_without_artikelen(tmp_path: Path) -> None:
    cases = [
        SCENARIOS / "wmo-15-wasservice-kostprijs.yaml",
        SCENARIOS / "wmo-05-verwijzing-wasservice.yaml",
    ]
    folder = tmp_path / "cases"
    folder.mkdir()
    for case in cases:
        (folder / case.name).write_text(case.read_text("utf-8"), "utf-8")
    lean = _cli("batch", str(folder), "--zonder-uitleg", "--workers", "1")
    full = _cli("batch", str(folder), "--workers", "1")
    assert lean.returncode == full.returncode == 0, lean.stderr
    lean_docs = [json.loads(line) for line in lean.stdout.splitlines()]
    full_docs = [json.loads(line) for line in full.stdout.splitlines()]
    assert len(lean_docs) == len(full_docs) == 2
    for a, b in zip(lean_docs, full_docs, strict=True):
        assert all(besluit["artikelen"] == [] for besluit in a["besluiten"])
        assert any(besluit["artikelen"] for besluit in b["besluiten"])
        # decisions only: no alternatives are searched either (api: explain=False)
        assert all(besluit["alternatieven"] == [] for besluit in a["besluiten"])
        assert _decisions(a, ("artikelen", "alternatieven")) == _decisions(
            b, ("artikelen", "alternatieven")
        )
        assert a["huishouden_bijdrage"] == b["huishouden_bijdrage"]


def test_batch_zonder_alternatieven_explains_but_searches_no_alternatives(tmp_path: Path) -> None:
    """A referral has alternatives in a full batch; `--zonder-alternatieven` keeps the
    explanation and gives exactly what the library gives with `alternatieven=False`."""
    from verordening_engine.api import load_regelset

    case = SCENARIOS / "wmo-05-verwijzing-wasservice.yaml"
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / case.name).write_text(case.read_text("utf-8"), "utf-8")
    lean = _cli("batch", str(folder), "--zonder-alternatieven", "--workers", "1")
    full = _cli("batch", str(folder), "--workers", "1")
    assert lean.returncode == full.returncode == 0, lean.stderr
    lean_doc = json.loads(lean.stdout)
    full_doc = json.loads(full.stdout)
    assert any(besluit["alternatieven"] for besluit in full_doc["besluiten"])
    assert all(besluit["alternatieven"] == [] for besluit in lean_doc["besluiten"])
    assert all(besluit["artikelen"] for besluit in lean_doc["besluiten"])
    library = load_regelset(peildatum=dt.date(2026, 6, 1)).evaluate(case, alternatieven=False)
    assert lean_doc == json.loads(library.model_dump_json())
    assert _decisions(lean_doc, ("alternatieven",)) == _decisions(full_doc, ("alternatieven",))
