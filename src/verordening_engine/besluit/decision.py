"""The decision of one request without its explanation (`evaluate(..., explain=False)`).

The same fields as the explained decision, from the same settlement, with `artikelen`
left empty: no step is built, which is most of the cost of a case.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from ..engine.evaluation import RequestRun
from ..engine.settlement import Settled
from ..language.expressions import T
from ..regels.compiled import CompiledRegelset
from .explanation import article_order, build_besluit, explain_run
from .model import Besluit, Toelichting
from .words import as_json

_article_order = cache(article_order)  # a handful of article numbers, sorted per request


def _slot_type(result: RequestRun, name: str) -> T:
    for run in result.runs:
        if run.rule.kind == "vaststelling" and name in run.rule.outputs:
            return run.rule.outputs[name].type
    return T.tekst


def decide_request(rs: CompiledRegelset, result: RequestRun, settled: Settled) -> Besluit:
    # the articles whose rules decided: applied, not set aside, and winning (as explained)
    decisive = sorted(
        {rs.rule_by_id[i].artikel.nummer for i in settled.winners}, key=_article_order
    )
    vaststellingen = {
        name: as_json(_slot_type(result, name), value)
        for name, value in settled.vaststellingen.items()
    }
    return build_besluit(rs, result, settled, decisive, vaststellingen, [])


def bijdrage_steps(
    rs: CompiledRegelset,
    result: RequestRun,
    settled: Settled,
    peildatum: dt.date,
) -> list[Toelichting]:
    """The explained steps of the applied eigen_bijdrage rules, in trace order.

    The household amount names the article that set the bijdrage and its legal basis
    (besluit/household.py); a decision without explanation lends it just these steps, so
    its household amount is the same as the explained one. `settled` is the settlement of
    the request's runs (open rules never apply: it is that of the runs without them too).
    """
    runs = [r for r in result.runs if not r.missing]
    return [
        explain_run(rs, run, settled, peildatum)
        for run in sorted(runs, key=lambda r: r.order)
        if run.applied and run.rule.kind == "eigen_bijdrage"
    ]
