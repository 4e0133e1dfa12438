"""Benchmark: load+compile time and warm per-case latency (explanation included).

Run: python benchmarks/bench.py [--cases N]
Household of four with three requests, as in the targets of the benchmark issue.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from verordening_engine.api import _CACHE, load_regelset_folder

FOLDER = Path(__file__).resolve().parent.parent / "regels" / "dordrecht" / "2026-04-01"
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
         "feiten": {"beperking_vastgesteld": True}},
        {"id": "a2", "persoon": "k1", "voorziening": "begeleiding_individueel",
         "feiten": {"beperking_vastgesteld": True, "mantelzorg_volstaat": True}},
        {"id": "a3", "persoon": "p2", "voorziening": "wasservice"},
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args()

    start = time.perf_counter()
    rs = load_regelset_folder(FOLDER)
    compile_ms = (time.perf_counter() - start) * 1000
    _CACHE.clear()

    rs = load_regelset_folder(FOLDER)
    for _ in range(200):  # warm up
        rs.evaluate(CASE).model_dump_json()
    timings = []
    for _ in range(args.cases):
        t0 = time.perf_counter()
        rs.evaluate(CASE).model_dump_json()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"load+validate+compile regelset: {compile_ms:.1f} ms (first, incl. engine registration)")
    print(f"evaluate household of 4, 3 requests, JSON incl. explanation ({args.cases} cases):")
    print(f"  p50 {p50:.2f} ms   p99 {p99:.2f} ms   {1000 / statistics.mean(timings):.0f} cases/s")


if __name__ == "__main__":
    main()
