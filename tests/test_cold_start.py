"""Cold start: the disk cache of compiled regelsets, and what `evaluate` does not import.

A cached version must decide exactly as a freshly compiled one; an entry that is corrupt,
from another engine or for other files is never used; concurrent writers leave a valid
entry; drafts are not cached. No timing is asserted here (see benchmarks/bench.py).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from verordening_engine import api
from verordening_engine.cli import main
from verordening_engine.regels import compiled_cache
from verordening_engine.regels.compiler import compile_regelset
from verordening_engine.regels.loading import load_source

from .conftest import REGELS, ROOT, SCENARIOS, VERSIE_2026

CASE = SCENARIOS / "wmo-02-jongere-17-5-jaar-begeleiding.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(compiled_cache.ENV, str(folder))
    # and no version compiled earlier in this process: each test starts cold
    monkeypatch.setattr(api, "_BY_CONTENT", {})
    monkeypatch.setattr(api, "_CACHE", {})
    return folder


def _fingerprint(folder: Path) -> str:
    return api._fingerprint(list(folder.glob("*.y*ml")))


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle"))


def test_a_cached_version_decides_every_scenario_exactly_as_a_compiled_one(cache: Path) -> None:
    fresh = compile_regelset(load_source(VERSIE_2026))
    assert compiled_cache.store(VERSIE_2026, _fingerprint(VERSIE_2026), fresh)
    cached = compiled_cache.load(VERSIE_2026, _fingerprint(VERSIE_2026))
    assert cached is not None and cached is not fresh
    assert cached.sha256 == fresh.sha256
    a = api.Regelset(fresh, api.Evaluator(fresh))
    b = api.Regelset(cached, api.Evaluator(cached))
    checked = 0
    for path in sorted(SCENARIOS.glob("*.yaml")):
        casus, doc = api.read_case(path)
        if casus.versie not in (None, "2026-04-01") or not fresh.meta.geldig_vanaf <= (
            casus.peildatum
        ):
            continue
        try:
            expected = a.evaluate_casus(casus, doc).model_dump_json()
        except api.VerordeningError as exc:
            with pytest.raises(api.VerordeningError) as again:
                b.evaluate_casus(casus, doc)
            assert [str(p) for p in again.value.problems] == [str(p) for p in exc.problems]
            continue
        assert b.evaluate_casus(casus, doc).model_dump_json() == expected, path.name
        checked += 1
    assert checked >= 20


def test_the_cli_writes_an_entry_once_and_gives_the_same_output_from_it(cache: Path) -> None:
    command = [sys.executable, "-m", "verordening_engine", "evaluate", str(CASE)]
    first = subprocess.run([*command, "--format", "json"], capture_output=True, cwd=ROOT)
    assert len(_entries(cache)) == 1
    written = _entries(cache)[0].stat().st_mtime_ns
    second = subprocess.run([*command, "--format", "json"], capture_output=True, cwd=ROOT)
    assert (second.returncode, second.stdout, second.stderr) == (
        first.returncode,
        first.stdout,
        first.stderr,
    )
    assert json.loads(second.stdout)["besluiten"]
    assert _entries(cache)[0].stat().st_mtime_ns == written  # read, not written again


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle", b"\x80\x05garbage", None],
    ids=["empty", "text", "truncated", "half"],
)
def test_a_damaged_entry_is_a_miss_and_is_replaced(cache: Path, damage: bytes | None) -> None:
    fingerprint = _fingerprint(VERSIE_2026)
    compiled = compile_regelset(load_source(VERSIE_2026))
    assert compiled_cache.store(VERSIE_2026, fingerprint, compiled)
    [entry] = _entries(cache)
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert compiled_cache.load(VERSIE_2026, fingerprint) is None
    again = api.load_regelset_folder(VERSIE_2026)  # compiles, and writes a good entry
    assert again.compiled.sha256 == compiled.sha256
    assert compiled_cache.load(VERSIE_2026, fingerprint) is not None


def test_an_entry_of_another_engine_is_not_used(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint = _fingerprint(VERSIE_2026)
    compiled = compile_regelset(load_source(VERSIE_2026))
    monkeypatch.setattr(compiled_cache, "_ENGINE", ["another engine"])
    assert compiled_cache.store(VERSIE_2026, fingerprint, compiled)
    monkeypatch.setattr(compiled_cache, "_ENGINE", [])  # this engine, fingerprinted again
    assert compiled_cache.load(VERSIE_2026, fingerprint) is None


def test_an_edited_engine_module_is_another_engine(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiled_cache, "_ENGINE", [])
    before = compiled_cache._engine_fingerprint()
    module = Path(compiled_cache.__file__)
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        compiled_cache._ENGINE.clear()
        assert compiled_cache._engine_fingerprint() != before
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    compiled_cache._ENGINE.clear()
    assert compiled_cache._engine_fingerprint() == before


def test_an_edited_rule_file_is_compiled_again(cache: Path, regels_copy: Path) -> None:
    first = api.load_regelset_folder(regels_copy)
    file = next(regels_copy.glob("parameters*.yaml"))
    text = file.read_text("utf-8")
    file.write_text(text + "\n# edited\n", "utf-8")
    second = api.load_regelset_folder(regels_copy)
    assert second.compiled.sha256 != first.compiled.sha256
    assert len(_entries(cache)) == 2


def test_a_draft_is_not_cached(cache: Path, tmp_path: Path) -> None:
    draft = tmp_path / "regels" / "dordrecht" / "2026-concept"
    draft.mkdir(parents=True)
    (draft / "regelset.yaml").write_text(
        f'basis: "{VERSIE_2026}"\nversie: "2026-concept"\nstatus: concept\n', "utf-8"
    )
    compiled = api.load_regelset_folder(draft).compiled
    assert compiled.meta.basis is not None
    assert _entries(cache) == []


def test_an_empty_cache_dir_setting_switches_the_cache_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(compiled_cache.ENV, "")
    compiled = compile_regelset(load_source(VERSIE_2026))
    assert compiled_cache.cache_dir() is None
    assert not compiled_cache.store(VERSIE_2026, _fingerprint(VERSIE_2026), compiled)
    assert compiled_cache.load(VERSIE_2026, _fingerprint(VERSIE_2026)) is None


def test_concurrent_writers_leave_one_valid_entry(cache: Path) -> None:
    fingerprint = _fingerprint(VERSIE_2026)
    compiled = compile_regelset(load_source(VERSIE_2026))
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(compiled_cache.store(VERSIE_2026, fingerprint, compiled))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4
    assert len(_entries(cache)) == 1
    assert not list(cache.glob("*.tmp"))
    loaded = compiled_cache.load(VERSIE_2026, fingerprint)
    assert loaded is not None and loaded.sha256 == compiled.sha256


def test_concurrent_processes_decide_alike_while_the_entry_is_written(cache: Path) -> None:
    command = [sys.executable, "-m", "verordening_engine", "evaluate", str(CASE), "--format"]
    runs = [
        subprocess.Popen(
            [*command, "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
        )
        for _ in range(3)
    ]
    outputs = {run.communicate()[0] for run in runs}
    assert len(outputs) == 1 and outputs != {b""}
    assert len(_entries(cache)) == 1


def test_old_entries_are_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled_cache, "MAX_ENTRIES", 2)
    compiled = compile_regelset(load_source(VERSIE_2026))
    for n in range(4):
        assert compiled_cache.store(VERSIE_2026, f"fingerprint {n}", compiled)
    assert len(_entries(cache)) == 2
    assert compiled_cache.load(VERSIE_2026, "fingerprint 3") is not None
    assert compiled_cache.load(VERSIE_2026, "fingerprint 0") is None


def test_evaluate_imports_nothing_it_does_not_use(cache: Path) -> None:
    """The command line decides a case without the terminal renderer, the property-based
    tools, the HTTP service, the version tools or importlib.metadata (for a JSON case with
    its version in the cache, without YAML either)."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['verordening', 'evaluate', sys.argv[1], '--format', 'json']\n"
        "try:\n"
        "    runpy.run_module('verordening_engine', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    for _ in range(2):  # the second run finds the compiled version in the cache
        done = subprocess.run(
            [sys.executable, "-c", probe, str(CASE)], capture_output=True, text=True, cwd=ROOT
        )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    modules = set(line.split()[1:])
    assert "verordening_engine.api" in modules  # the probe ran the command
    tops = {m.split(".")[0] for m in modules}
    assert not tops & {"rich", "hypothesis", "fastapi", "uvicorn", "matplotlib", "distributed"}
    ours = {m for m in modules if m.startswith("verordening_engine.")}
    for later in ("versies", "serve", "scenarios", "batch"):
        assert not any(m.startswith(f"verordening_engine.{later}") for m in ours), later


def test_reading_a_packaged_regels_folder_needs_no_write_access(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.mkdir()
    cache.chmod(0o500)
    try:
        if os.access(cache, os.W_OK):  # root may write anyway
            pytest.skip("the cache directory stays writable for this user")
        compiled = compile_regelset(load_source(VERSIE_2026))
        assert not compiled_cache.store(VERSIE_2026, _fingerprint(VERSIE_2026), compiled)
        assert api.load_regelset(REGELS, versie="2026-04-01").compiled.sha256 == compiled.sha256
    finally:
        cache.chmod(0o700)


def test_evaluate_in_a_callers_process_leaves_the_collector_alone(cache: Path) -> None:
    """Only the `verordening` process itself freezes what it loaded (it ends right after);
    a caller that runs the command in its own process keeps a normal collector."""
    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(main, ["evaluate", str(CASE), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["besluiten"]
    assert gc.get_freeze_count() == frozen


def test_the_default_cache_directory_is_the_users_cache_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv(compiled_cache.ENV)
    for xdg in (str(tmp_path / "xdg"), None):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        expected = Path(user_cache_dir("verordening-engine")) / "compiled"
        assert compiled_cache.cache_dir() == expected
