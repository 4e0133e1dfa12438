"""`verordening batch` as a user runs it: one record per input in input order, nothing lost.

Bad lines and unreadable files become error records (valid against the published schema);
killed workers, a killed parent, a full disk, an unwritable target, SIGTERM and odd targets
(/dev/stdout, a FIFO) neither lose finished work nor leave files or processes behind.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from verordening_engine.batch import BatchFout

from .conftest import REGELS, ROOT, SCENARIOS

CLI = [sys.executable, "-m", "verordening_engine", "--regels", str(REGELS)]


def _cases(n: int) -> list[str]:
    """n valid JSON Lines cases (scenario households without a pinned version)."""
    from verordening_engine.reading.yaml_loading import read_document

    base = []
    for file in sorted(SCENARIOS.glob("*.yaml")):
        data = read_document(file).data
        if "versie" in data:
            continue
        data.pop("verwachting", None)
        base.append(data)
    return [json.dumps({**base[i % len(base)], "casus": f"c{i}"}) for i in range(n)]


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([*CLI, *args], timeout=600, cwd=ROOT, **kwargs)  # type: ignore[call-overload, no-any-return]


def _records(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


BAD_LINES = {
    "5,000-digit number": b'{"casus": "a", "peildatum": ' + b"9" * 5000 + b"}",
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "invalid UTF-8": b'{"casus": "\xff\xfe"}',
    "lone surrogate": b'{"casus": "x\\ud800"}',
    "not JSON": b"casus: yaml",
    "not a case": b"[1, 2, 3]",
    "infinite number": b'{"casus": 1e400}',
}


def test_every_line_gives_one_record_in_order(tmp_path: Path) -> None:
    good = _cases(3)
    lines = [good[0].encode(), *BAD_LINES.values(), good[1].encode(), b"", good[2].encode()]
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    result = _run(["batch", str(source), "--workers", "2"])
    assert result.returncode == 1, result.stderr
    records = _records(result.stdout)
    assert len(records) == len(lines) - 1  # the blank line is not a case
    assert [r["casus"] for r in (records[0], records[-2], records[-1])] == ["c0", "c1", "c2"]
    for (kind, _), record in zip(BAD_LINES.items(), records[1:-2], strict=True):
        fout = BatchFout.model_validate(record)  # the schema of error records
        assert fout.soort == "invoer", kind
        assert fout.bron == f"{source}:{fout.regel}"
        assert fout.problemen and fout.fouten, kind
    assert [BatchFout.model_validate(r).regel for r in records[1:-2]] == list(range(2, 9))
    assert b"Traceback" not in result.stderr


def test_error_record_schema_is_published() -> None:
    schema = json.loads((ROOT / "schemas" / "batchfout.schema.json").read_text("utf-8"))
    assert schema == BatchFout.model_json_schema(mode="serialization") | {
        "$schema": schema["$schema"],
        "$id": "batchfout.schema.json",
    }


def test_unreadable_file_in_a_folder_is_an_error_record(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    first, second = _cases(2)
    (folder / "a.json").write_text(first, "utf-8")
    (folder / "b.yaml").write_bytes(b"casus: \xff\n")
    (folder / "c.yaml").mkdir()  # a folder where a file is expected
    os.mkfifo(folder / "d.yaml")  # would block a naive reader forever
    (folder / "e.json").write_text(second, "utf-8")
    result = _run(["batch", str(folder)])
    records = _records(result.stdout)
    assert result.returncode == 1
    assert [r.get("casus") for r in records] == ["c0", None, None, None, "c1"]
    assert [r.get("bestand") for r in records[1:4]] == [
        str(folder / name) for name in ("b.yaml", "c.yaml", "d.yaml")
    ]


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _wait_for_workers(process: subprocess.Popen[bytes], count: int) -> list[psutil.Process]:
    for _ in range(600):
        workers = [c for c in _children(process.pid) if "python" in c.name().lower()]
        if len(workers) >= count:
            return workers
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError("the batch started no workers")


def test_a_killed_worker_loses_nothing(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    cases = _cases(600)
    source.write_text("\n".join(cases) + "\n", "utf-8")
    target = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [*CLI, "batch", str(source), "--workers", "2", "--uitvoer", str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    victim = _wait_for_workers(process, 2)[0]
    time.sleep(2)  # let it start deciding
    victim.kill()
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    records = _records(target.read_bytes())
    assert [r["casus"] for r in records] == [f"c{i}" for i in range(600)]
    assert all("besluiten" in r for r in records)


def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_cases(3000)) + "\n", "utf-8")
    process = subprocess.Popen(
        [*CLI, "batch", str(source), "--workers", "2", "--uitvoer", str(tmp_path / "o.jsonl")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = _wait_for_workers(process, 2)
    process.kill()
    process.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive


def test_sigterm_stops_the_run_and_leaves_nothing(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_cases(3000)) + "\n", "utf-8")
    target = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [*CLI, "batch", str(source), "--workers", "2", "--uitvoer", str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    workers = _wait_for_workers(process, 2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM
    assert b"afgebroken" in err and b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive


def test_output_file_mode_and_atomic_replace(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_cases(2)) + "\n", "utf-8")
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", "utf-8")
    result = _run(
        ["batch", str(source), "--uitvoer", str(target)], preexec_fn=lambda: os.umask(0o022)
    )
    assert result.returncode == 0, result.stderr
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert len(_records(target.read_bytes())) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "out.jsonl"]


def test_a_symlink_target_is_written_through_not_replaced(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_cases(2)) + "\n", "utf-8")
    real = tmp_path / "real.jsonl"
    real.write_text("", "utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    assert _run(["batch", str(source), "--uitvoer", str(link)]).returncode == 0
    assert link.is_symlink()
    assert len(_records(real.read_bytes())) == 2
    # /dev/stdout (a symlink to the process's stdout) is written, never replaced
    result = _run(["batch", str(source), "--uitvoer", "/dev/stdout"])
    assert result.returncode == 0
    assert len(_records(result.stdout)) == 2
    assert Path("/dev/stdout").is_symlink()


def test_unwritable_target_is_refused_before_any_work(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_cases(2)) + "\n", "utf-8")
    for target in (tmp_path / "no" / "such" / "folder.jsonl", Path("/proc/version.jsonl")):
        result = _run(["batch", str(source), "--uitvoer", str(target)])
        assert result.returncode == 2
        assert b"kan niet schrijven" in result.stderr
        assert b"beoordeeld" not in result.stderr  # no case was decided


def _limit_file_size() -> None:
    # a "disk" that is full after 4 KB (writes beyond fail with EFBIG; Python ignores SIGXFSZ)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_full_disk_fails_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(_cases(20)) + "\n", "utf-8")
    target = tmp_path / "out.jsonl"
    result = _run(["batch", str(source), "--uitvoer", str(target)], preexec_fn=_limit_file_size)
    assert result.returncode == 2
    assert b"schrijven mislukt" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]
    for device_target in (["--uitvoer", "/dev/full"], []):
        stdout = open("/dev/full", "wb")  # noqa: SIM115
        with stdout:
            result = _run(
                ["batch", str(source), *device_target], stdout=stdout, stderr=subprocess.PIPE
            )
        assert result.returncode == 2, device_target
        assert b"schrijven mislukt" in result.stderr
        assert b"Traceback" not in result.stderr


def test_endless_inputs_stop_at_the_size_limit(tmp_path: Path) -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        result = _run(["batch", device])
        assert result.returncode == 2, device
        assert b"not a JSON Lines text file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_line_without_end_from_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "endless.jsonl"
    os.mkfifo(fifo)
    writer = subprocess.Popen(
        ["sh", "-c", f"yes aaaaaaaaaaaaaaaaaaaaaaaa | tr -d '\\n' > {fifo}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        result = _run(["batch", str(fifo)])
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 2
    assert b"line larger than" in result.stderr
