"""Benchmark of the current regelset: latency, throughput, compile time, cold start, memory.

Run: python benchmarks/bench.py [--cases N] [--batch N] [--memory-runs N]
Household of four with three requests (the benchmark issue's reference case); warm
latency includes binding, the engine, settlement, the explanation and JSON.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "regels" / "dordrecht" / "2026-04-01"
CASE = {
    "casus": "bench",
    "peildatum": "2026-06-01",
    "huishouden": {
        "leden": [
            {"id": "p1", "geboortedatum": "1958-02-03", "rol": "aanvrager"},
            {"id": "p2", "geboortedatum": "1960-07-09", "rol": "partner"},
            {"id": "k1", "geboortedatum": "2008-09-30", "rol": "kind"},
            {"id": "k2", "geboortedatum": "2012-01-15", "rol": "kind"},
        ],
        "feiten": {"inkomen_pct_sociaal_minimum": 125},
    },
    "aanvragen": [
        {"id": "a1", "persoon": "p1", "voorziening": "huishoudelijke_ondersteuning",
         "feiten": {"beperking_vastgesteld": True, "meldingsdatum": "2026-05-01",
                    "aanvraagdatum": "2026-05-20"}},
        {"id": "a2", "persoon": "k1", "voorziening": "begeleiding_individueel",
         "feiten": {"beperking_vastgesteld": True, "mantelzorg_volstaat": True,
                    "meldingsdatum": "2026-05-01", "aanvraagdatum": "2026-05-20"}},
        {"id": "a3", "persoon": "p2", "voorziening": "wasservice"},
    ],
}


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _case() -> dict:  # type: ignore[type-arg]
    """The reference case, keeping only facts the current vocabulary knows."""
    from verordening_engine.api import load_regelset_folder

    rs = load_regelset_folder(FOLDER).compiled
    known = rs.inputs["aanvraag"]
    case = dict(CASE)
    case["aanvragen"] = [{**a, "feiten": {k: v for k, v in a.get("feiten", {}).items()
                                           if k in known}} for a in CASE["aanvragen"]]
    return case


def cold_compile_ms() -> float:
    code = ("import time; t=time.perf_counter(); from verordening_engine.api import "
            f"load_regelset_folder; load_regelset_folder({str(FOLDER)!r}); "
            "print((time.perf_counter()-t)*1000)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return statistics.median(runs)


def cold_cli_ms(case_file: Path) -> float:
    exe = Path(sys.executable).with_name("verordening")
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--regels", str(ROOT / "regels"), "evaluate", str(case_file),
                        "--format", "json"], capture_output=True, check=False)
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def _throughput_chunk(n: int) -> int:
    from verordening_engine.api import load_regelset_folder

    rs = load_regelset_folder(FOLDER)
    case = _case()
    for _ in range(n):
        rs.evaluate(case).model_dump_json()
    return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=4000)
    parser.add_argument("--memory-runs", type=int, default=100_000)
    args = parser.parse_args()

    from verordening_engine.api import load_regelset_folder

    print(f"load + validate + compile (cold process, median of 5): {cold_compile_ms():.0f} ms")
    rs = load_regelset_folder(FOLDER)
    case = _case()
    for _ in range(300):
        rs.evaluate(case).model_dump_json()
    timings = []
    for _ in range(args.cases):
        t0 = time.perf_counter()
        rs.evaluate(case).model_dump_json()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(f"single case, warm ({args.cases}): p50 {statistics.median(timings):.2f} ms, "
          f"p99 {timings[int(len(timings) * 0.99) - 1]:.2f} ms")
    t0 = time.perf_counter()
    _throughput_chunk(args.batch)
    one = args.batch / (time.perf_counter() - t0)
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_throughput_chunk, [50] * cores))  # warm the workers
        t0 = time.perf_counter()
        list(pool.map(_throughput_chunk, [args.batch // cores] * cores))
        many = (args.batch // cores * cores) / (time.perf_counter() - t0)
    print(f"throughput: {one:.0f} households/s in one process, {many:.0f}/s on {cores} cores")
    import json
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(case, handle)
    print(f"cold start `verordening evaluate` (median of 7): {cold_cli_ms(Path(handle.name)):.0f} ms")
    os.unlink(handle.name)
    start = _rss_kb()
    marks = []
    step = max(1, args.memory_runs // 5)
    for i in range(1, args.memory_runs + 1):
        rs.evaluate(case)
        if i % step == 0:
            marks.append(_rss_kb())
    print(f"memory: RSS {start / 1024:.1f} MB before, after each {step} evaluations: "
          + ", ".join(f"{m / 1024:.1f}" for m in marks) + " MB; peak "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


if __name__ == "__main__":
    main()
