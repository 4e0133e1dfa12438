"""Snapshot the decisions of every scenario and of generated households, to compare later.

Run: python benchmarks/snapshot.py OUTDIR [--households N] [--seed S] [--cases FILE]
Writes OUTDIR/scenarios.jsonl (one `verordening evaluate --format json` per scenario file,
through the CLI) and OUTDIR/households.jsonl (the public `Regelset.evaluate` per generated
household, under each version). With --cases the households are read from FILE (JSON
Lines, as written by a first run to OUTDIR/cases.jsonl), so a later run compares like with
like even if the generator changes. `--modes` adds the same households decided without
alternatives (`households-zonder-alternatieven.jsonl`) and without explanation
(`households-zonder-uitleg.jsonl`). Compare two snapshots with `cmp` or `diff`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = {"2025-01-01": "2025-06-01", "2026-04-01": "2026-06-01", "2027-01-01": "2027-03-01"}


def _generate(n: int, seed: int) -> list[dict[str, Any]]:
    from verordening_engine.api import load_regelset

    try:
        from verordening_engine.versies.households import random_households
    except ImportError:  # flat layout
        from verordening_engine.household_strategies import (  # type: ignore[no-redef]
            random_households,
        )
    out = []
    per = max(1, n // len(VERSIONS))
    for i, (versie, peildatum) in enumerate(VERSIONS.items()):
        rs = load_regelset(ROOT / "regels", versie=versie).compiled
        day = dt.date.fromisoformat(peildatum)
        for j, case in enumerate(random_households([rs], day, per, seed + i)):
            case["casus"] = f"h{versie}-{j:05d}"
            out.append({"versie": versie, "case": json.loads(json.dumps(case, default=str))})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--households", type=int, default=2100)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--cases", type=Path)
    parser.add_argument("--no-scenarios", action="store_true")
    parser.add_argument(
        "--modes",
        default="uitleg",
        help="comma list of uitleg, zonder-alternatieven, zonder-uitleg (default: uitleg)",
    )
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)

    if not args.no_scenarios:
        exe = Path(sys.executable).with_name("verordening")
        with (args.outdir / "scenarios.jsonl").open("w", encoding="utf-8") as out:
            for file in sorted((ROOT / "scenarios").glob("*.yaml")):
                done = subprocess.run(
                    [str(exe), "evaluate", str(file), "--format", "json"],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    check=False,
                )
                line = {
                    "file": file.name,
                    "rc": done.returncode,
                    "stdout": done.stdout,
                    "stderr": done.stderr,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")

    if args.cases:
        cases = [json.loads(x) for x in args.cases.read_text("utf-8").splitlines() if x]
    else:
        cases = _generate(args.households, args.seed)
        with (args.outdir / "cases.jsonl").open("w", encoding="utf-8") as out:
            for item in cases:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")

    files = {
        "uitleg": ("households.jsonl", {}),
        "zonder-alternatieven": ("households-zonder-alternatieven.jsonl", {"alternatieven": False}),
        "zonder-uitleg": ("households-zonder-uitleg.jsonl", {"explain": False}),
    }
    for mode in args.modes.split(","):
        name, options = files[mode]
        with (args.outdir / name).open("w", encoding="utf-8") as out:
            for item in cases:
                out.write(_decide(item, options) + "\n")


def _decide(item: dict[str, Any], options: dict[str, bool]) -> str:
    from verordening_engine import VerordeningError
    from verordening_engine.api import load_regelset

    rs = load_regelset(ROOT / "regels", versie=item["versie"])
    try:
        return rs.evaluate(item["case"], **options).model_dump_json()
    except VerordeningError as exc:
        return json.dumps({"fout": [str(p) for p in exc.problems]}, ensure_ascii=False)
    except Exception as exc:  # an engine error is part of the snapshot too
        return json.dumps({"fout": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False)


if __name__ == "__main__":
    main()
