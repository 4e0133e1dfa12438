"""Turn rule runs and the settled outcome into the article-by-article explanation (Dutch).

Facts are told in words from the vocabulary (see `words`), never as expressions or Python
values; the expression that was not met stays in `voorwaarde`, for the technical trace.
"""

from __future__ import annotations

import datetime as dt
import string

from ..engine.evaluation import RequestRun, RuleRun
from ..engine.settlement import Settled, per_of
from ..language.expressions import Ref, T, Value
from ..regels.compiled import CompiledRegelset, CompiledRule
from . import dutch as nl
from .model import Besluit, Bijdrage, FeitGebruik, GrondslagRef, Toelichting
from .words import Words, as_json, dutch, words

UITKOMST_NL = {
    "toegekend": "toegekend",
    "afgewezen": "afgewezen",
    "niet_ontvankelijk": "niet ontvankelijk",
}


def render(template: str, fields: dict[str, str]) -> str:
    out = []
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(fields.get(name, "?"))
    return "".join(out).strip()


def anchor(bwb: str, artikel: str, lid: int | None, onderdeel: str | None) -> str:
    """The JCI 1.3 anchor of a national article, with lid and onderdeel when given."""
    text = f"jci1.3:c:{bwb}&artikel={artikel}"
    if lid is not None:
        text += f"&lid={lid}"
    if onderdeel:
        text += f"&onderdeel={onderdeel}"
    return text


def grondslag(rs: CompiledRegelset, rule: CompiledRule, peildatum: dt.date) -> list[GrondslagRef]:
    refs = []
    for g in rule.regel.grondslag or rule.artikel.grondslag:
        wet = rs.meta.wetten[g.wet]
        url = f"https://wetten.overheid.nl/jci1.3:c:{wet.bwb}&artikel={g.artikel}"
        if g.lid is not None:
            url += f"&lid={g.lid}"
        url += f"&z={peildatum.isoformat()}&g={peildatum.isoformat()}"
        refs.append(
            GrondslagRef.model_construct(
                wet=wet.naam,
                bwb=wet.bwb,
                artikel=g.artikel,
                lid=g.lid,
                url=url,
                onderdeel=g.onderdeel,
                anker=anchor(wet.bwb, g.artikel, g.lid, g.onderdeel),
            )
        )
    return refs


def conclusion_text(rs: CompiledRegelset, run: RuleRun) -> str | None:
    rule = run.rule
    if not run.applied:
        return None
    if rule.kind == "besluit":
        assert rule.regel.besluit is not None
        text = UITKOMST_NL[rule.regel.besluit.uitkomst.value]
        target = run.outputs.get("verwijzing", rule.regel.besluit.verwijzing)
        if target:
            text += f", verwijzing naar {target_name(rs, str(target))}"
        return text
    if rule.kind == "eigen_bijdrage":
        assert rule.regel.eigen_bijdrage is not None
        return (
            f"eigen bijdrage {dutch(T.bedrag, run.outputs['bedrag'])} per {nl.woorden(per_of(run))}"
        )
    if rule.kind == "ingangsdatum":
        return f"ondersteuning gaat in op {dutch(T.datum, run.outputs['ingangsdatum'])}"
    if rule.kind in ("termijn", "vaststelling"):
        return "; ".join(
            f"{nl.woorden(name)}: {dutch(rule.outputs[name].type, value)}"
            for name, value in run.outputs.items()
        )
    return "; ".join(
        words(rs, Ref("afgeleid", name)).statement(value) for name, value in run.outputs.items()
    )


def target_name(rs: CompiledRegelset, key: str) -> str:
    """The name of a referral target: a voorziening of the catalogue or a law."""
    if key in rs.catalogue:
        return rs.catalogue[key].naam
    return rs.meta.wetten[key].naam


class _RuleFacts:
    """Per-rule facts that do not depend on the case: computed once, reused for every case."""

    def __init__(self, rs: CompiledRegelset, rule: CompiledRule) -> None:
        self.words: dict[Ref, Words] = {ref: words(rs, ref) for ref in rule.reads}
        self.names = {ref: str(ref) for ref in rule.reads}
        self.id = f"{rs.meta.id}/{rs.meta.versie}/{rule.id}"
        self.cvdr = (
            f"{rs.meta.publicatie}#artikel{rule.artikel.nummer}" if rs.meta.publicatie else None
        )
        self.links: dict[dt.date, list[GrondslagRef]] = {}

    def grondslag(
        self, rs: CompiledRegelset, rule: CompiledRule, day: dt.date
    ) -> list[GrondslagRef]:
        found = self.links.get(day)
        if found is None:
            if len(self.links) > 512:
                self.links.clear()
            found = self.links[day] = grondslag(rs, rule, day)
        return found


_STATIC: dict[tuple[str, int], _RuleFacts] = {}


def _static(rs: CompiledRegelset, rule: CompiledRule) -> _RuleFacts:
    key = (rs.sha256, rule.index)
    found = _STATIC.get(key)
    if found is None:
        found = _STATIC[key] = _RuleFacts(rs, rule)
    return found


_USED: dict[tuple[str, Ref, object], FeitGebruik] = {}


def _used(sha: str, w: Words, name: str, ref: Ref, value: Value) -> FeitGebruik:
    """A fact used, in words; frozen and shared between cases (values repeat a lot)."""
    key = (sha, ref, value)
    found = _USED.get(key)
    if found is None:
        if len(_USED) > 50_000:
            _USED.clear()
        partner = ref.space == "partner"
        found = _USED[key] = FeitGebruik.model_construct(
            naam=name,
            label=f"{w.label} (partner)" if partner else w.label,
            waarde=as_json(w.type, value),
            tekst=w.clause(value, partner=partner) if w.case_fact else w.statement(value),
        )
    return found


def why_not(static: _RuleFacts, run: RuleRun) -> str:
    """'Niet van toepassing, omdat ...': the facts of the condition that was not met, in words."""
    failed = run.failed
    assert failed is not None
    clauses = []
    limits = []
    for ref in sorted(failed.reads):
        if ref not in run.used:
            continue
        w = static.words[ref]
        if w.case_fact:
            clauses.append(w.clause(run.used[ref], partner=ref.space == "partner"))
        elif ref.space == "param":
            limits.append(w.value(run.used[ref]))
    if not clauses:
        return "Niet van toepassing: niet aan de voorwaarde voldaan."
    text = "Niet van toepassing, omdat " + " en ".join(clauses)
    if limits:
        text += f" (grens: {', '.join(limits)})"
    return text + "."


# explained steps by everything a step is made of: most steps repeat exactly across cases
# (the same rule on the same facts), so a repeated step is one lookup and one shared,
# frozen object; bounded, so a long run does not grow without limit
MAX_STEPS = 20_000
_STEPS: dict[tuple[object, ...], Toelichting] = {}


def explain_run(
    rs: CompiledRegelset, run: RuleRun, settled: Settled, peildatum: dt.date
) -> Toelichting:
    rule = run.rule
    by = settled.set_aside.get(rule.id)
    failed = run.failed
    key = (
        rs.sha256,
        rule.index,
        run.applied,
        tuple(run.used.items()),
        tuple(run.outputs.items()),
        (failed.source, failed.reads) if failed is not None else None,
        by,
        rule.id in settled.winners,
        peildatum,
    )
    found = _STEPS.get(key)
    if found is None:
        if len(_STEPS) >= MAX_STEPS:
            _STEPS.clear()
        found = _STEPS[key] = _explain_run(rs, run, settled, peildatum)
    return found


def _explain_run(
    rs: CompiledRegelset, run: RuleRun, settled: Settled, peildatum: dt.date
) -> Toelichting:
    rule = run.rule
    static = _static(rs, rule)
    names = static.names
    # templates carry their own units ('{leeftijd_jaren} jaar'): values without a unit there
    fields = {names[ref]: dutch(static.words[ref].type, v) for ref, v in run.used.items()}
    for name, value in run.outputs.items():
        if name == "per":
            continue
        if name == "verwijzing":
            value = target_name(rs, str(value))
        fields[name] = dutch(rule.outputs[name].type, value)
    if rule.kind == "besluit" and rule.regel.besluit and rule.regel.besluit.verwijzing:
        fields["verwijzing"] = target_name(rs, rule.regel.besluit.verwijzing)
    waarom_niet = None
    voorwaarde = None
    if run.applied:
        sentence = render(rule.regel.uitleg.wel, fields)
    else:
        assert run.failed is not None
        voorwaarde = " ".join(run.failed.source.split())
        waarom_niet = why_not(static, run)
        sentence = (
            render(rule.regel.uitleg.niet, fields)
            if rule.regel.uitleg.niet
            else ("Dit artikel is niet van toepassing.")
        )
    by = settled.set_aside.get(rule.id)
    if by is not None:
        other = rs.rule_by_id[by]
        if rs.defeat_kind.get((by, rule.id)) == "uitzondering_op":
            sentence += (
                f" Maar artikel {other.artikel.nummer} is hierop een uitzondering en beslist."
            )
        else:
            sentence += f" Dit artikel wijkt: artikel {other.artikel.nummer} gaat voor."
    if not run.applied:
        status = "niet_van_toepassing"
    elif by is not None:
        status = "opzij_gezet"
    elif rule.id in settled.winners:
        status = "beslissend"
    else:
        status = "toegepast"
    used = [_used(rs.sha256, static.words[ref], names[ref], ref, v) for ref, v in run.used.items()]
    # built from trusted values: construct without re-validating (measured: 40% of a case)
    return Toelichting.model_construct(
        artikel=rule.artikel.nummer,
        titel=rule.artikel.titel,
        regel=rule.id,
        grondslag=static.grondslag(rs, rule, peildatum),
        bron=rule.artikel.bron.soort,
        toegepast=run.applied,
        status=status,
        opzij_gezet_door=by,
        feiten={names[ref]: as_json(static.words[ref].type, v) for ref, v in run.used.items()},
        conclusie=conclusion_text(rs, run),
        zin=sentence,
        waarom_niet=waarom_niet,
        id=static.id,
        soort=rule.kind,
        cvdr=static.cvdr,
        voorwaarde=voorwaarde,
        gebruikte_feiten=used,
    )


def article_order(nummer: str) -> tuple[int, ...]:
    """'2.10' after '2.9'; a letter suffix ('2.3a') sorts right after its number."""
    key: list[int] = []
    for part in nummer.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        key.append(int(digits or 0))
        key.append(ord(part[-1]) if part and part[-1].isalpha() else 0)
    return tuple(key)


def _slot_type(rs: CompiledRegelset, result: RequestRun, name: str) -> T:
    for run in result.runs:
        if run.rule.kind == "vaststelling" and name in run.rule.outputs:
            return run.rule.outputs[name].type
    return T.tekst


def explain_request(
    rs: CompiledRegelset, result: RequestRun, settled: Settled, peildatum: dt.date
) -> Besluit:
    runs = sorted(result.runs, key=lambda r: r.order)
    steps = [explain_run(rs, run, settled, peildatum) for run in runs]
    # in article order, so the list does not depend on the order in which rules fired
    decisive = sorted(
        {step.artikel for step in steps if step.status == "beslissend"}, key=article_order
    )
    vaststellingen = {
        name: as_json(_slot_type(rs, result, name), value)
        for name, value in settled.vaststellingen.items()
    }
    return build_besluit(rs, result, settled, decisive, vaststellingen, steps)


def build_besluit(
    rs: CompiledRegelset,
    result: RequestRun,
    settled: Settled,
    decisive: list[str],
    vaststellingen: dict[str, bool | int | str],
    artikelen: list[Toelichting],
) -> Besluit:
    """The decision of one request; the explained and the decision-only path share it, so
    they can differ in `artikelen` only."""
    bijdrage = settled.eigen_bijdrage
    # every field given: for a field left out, model_construct asks `inspect.signature`
    # whether its default_factory takes arguments (measured: a third of a decision)
    return Besluit.model_construct(
        aanvraag=result.inputs.aanvraag,
        persoon=result.inputs.persoon,
        voorziening=result.inputs.voorziening,
        uitkomst=settled.uitkomst,
        verwijzing=settled.verwijzing,
        eigen_bijdrage=Bijdrage.model_construct(bedrag=bijdrage[0], per=bijdrage[1])
        if bijdrage
        else None,
        huishouden_bijdrage=None,
        bijdrage_toelichting=None,
        ingangsdatum=settled.ingangsdatum,
        termijnen=settled.termijnen,
        vaststellingen=vaststellingen,
        beslissende_artikelen=decisive,
        problemen=list(settled.problems),
        artikelen=artikelen,
        ontbrekende_gegevens=[],
        alternatieven=[],
        voorziening_naam=rs.catalogue[result.inputs.voorziening].naam,
    )
