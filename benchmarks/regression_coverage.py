"""Outcome coverage of a regression population: per voorziening, requests, grants and the
deciding rules (besluit + eigen_bijdrage) reached at least once, under both versions.

    python benchmarks/regression_coverage.py new regels 2026-04-01 2027-01-01 2027-01-01
    # the generator before issue 13 (main at f120375, flat layout):
    PYTHONPATH=old/src python benchmarks/regression_coverage.py old old/regels ...

Prints JSON: {versie: {voorziening: [requests, granted, reached, possible, undecided]}}
(undecided: requests left without a decision for a missing fact, a gap of the generator).
"""

import collections
import datetime as dt
import json
import sys

from verordening_engine.api import load_regelset

which = sys.argv[1]
if which == "old":
    from verordening_engine.household_strategies import random_households, restrict
else:
    from verordening_engine.versies.households import random_households, restrict
regels = sys.argv[2]
va, vb, day = sys.argv[3], sys.argv[4], dt.date.fromisoformat(sys.argv[5])
A = load_regelset(regels, versie=va)
B = load_regelset(regels, versie=vb)
cases = random_households([A.compiled, B.compiled], day, 1000, 0)
out = {}
for R in (A, B):
    rs = R.compiled
    reached = collections.defaultdict(collections.Counter)
    total = collections.Counter()
    grants = collections.Counter()
    undecided = collections.Counter()
    for case in cases:
        r, _ = restrict(case, rs)
        if not r["aanvragen"]:
            continue
        # both versions judge the same households: one of them is a what-if
        kwargs = {"buiten_geldigheid": True} if which != "old" else {}
        for b in R.evaluate(r, **kwargs).besluiten:
            total[b.voorziening] += 1
            if b.uitkomst is None:
                undecided[b.voorziening] += 1
            elif b.uitkomst.value == "toegekend":
                grants[b.voorziening] += 1
            for s in b.artikelen:
                if s.status == "beslissend":
                    reached[b.voorziening][s.regel] += 1
    rows = {}
    for v in sorted(rs.catalogue):
        possible = [r.id for r in rs.rules_for[v] if r.kind in ("besluit", "eigen_bijdrage")]
        got = [p for p in possible if reached[v][p]]
        rows[v] = (total[v], grants[v], len(got), len(possible), undecided[v])
    out[R.versie] = rows
json.dump(out, sys.stdout)
