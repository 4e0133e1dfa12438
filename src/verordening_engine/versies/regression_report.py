"""Presentation of a regression report: the same sections for the terminal, markdown and HTML.

Each minimal example is told as a short Dutch household story: who asks for what, only the
facts the deciding articles read, and the decision under each version. The HTML page is one
self-contained file (`regression_html`), for readers on municipal networks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..api import Regelset
from .regression_model import RegressieRapport, Voorbeeld

if TYPE_CHECKING:
    from rich.console import Console

BANDS = (
    ("verlies_groot", "betaalt meer (> 5%)"),
    ("verlies_klein", "betaalt iets meer"),
    ("gelijk", "gelijk"),
    ("winst_klein", "betaalt iets minder"),
    ("winst_groot", "betaalt minder (> 5%)"),
)
ROLES = {"aanvrager": "de aanvrager", "partner": "de partner", "kind": "een kind"}
CASE_SPACES = ("persoon.", "partner.", "huishouden.", "aanvraag.")


def euro(text: str) -> str:
    """'1234.50' as '€ 1.234,50'."""
    negative = text.startswith("-")
    whole, _, cents = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{'-' if negative else ''}€ {grouped},{(cents or '00')[:2]:0<2}"


def _age(born: str, peildatum: dt.date) -> int:
    day = dt.date.fromisoformat(born)
    years = peildatum.year - day.year - ((peildatum.month, peildatum.day) < (day.month, day.day))
    return max(years, 0)


def _value(value: Any) -> str:
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+\.[0-9]{2}", value):
        return euro(value)
    return str(value).replace("_", " ")


def _decision(besluit: dict[str, Any] | None) -> str:
    if besluit is None:
        return "deze versie kent de voorziening niet"
    if besluit["uitkomst"] is None:
        return "geen besluit"
    text = str(besluit["uitkomst"]).replace("_", " ")
    if besluit["verwijzing"]:
        text += f", verwezen naar {besluit['verwijzing'].replace('_', ' ')}"
    if besluit["uitkomst"] == "toegekend":
        bijdrage = besluit["eigen_bijdrage"]
        if bijdrage is None or bijdrage["bedrag"] in ("0.00", "0"):
            text += ", geen eigen bijdrage"
        else:
            text += f", eigen bijdrage {euro(bijdrage['bedrag'])} per {bijdrage['per']}"
    return text


def _deciding(besluit: dict[str, Any] | None, kinds: set[str]) -> list[dict[str, Any]]:
    if besluit is None:
        return []
    return [
        s
        for s in besluit["artikelen"]
        if s["status"] == "beslissend" and (not kinds or s.get("regel") in kinds)
    ]


def story(v: Voorbeeld, r: RegressieRapport, deciding: dict[str, str] | None = None) -> list[str]:
    """The example as a few Dutch sentences: the household, the facts that matter, and the
    decision under each version with the article that decided it."""
    case = v.huishouden
    request = case["aanvragen"][0]
    leden = {lid["id"]: lid for lid in case["huishouden"]["leden"]}
    subject = leden.get(request["persoon"])
    same_grant = bool(
        v.besluit_a
        and v.besluit_b
        and v.besluit_a["vaststellingen"] == v.besluit_b["vaststellingen"]
    )
    kinds = {
        rule for rule, kind in (deciding or {}).items() if kind != "vaststelling" or not same_grant
    }
    parts = []
    for lid in case["huishouden"]["leden"]:
        parts.append(
            f"{ROLES.get(lid['rol'], lid['rol'])} ({_age(lid['geboortedatum'], r.peildatum)} jaar)"
        )
    who = "iemand"
    if subject:
        age = _age(subject["geboortedatum"], r.peildatum)
        who = f"{ROLES.get(subject['rol'], 'iemand')} ({age} jaar)"
    lines = [
        f"Een huishouden van {len(parts)}: {', '.join(parts)}. "
        f"Voor {who} wordt {request['voorziening'].replace('_', ' ')} aangevraagd."
    ]
    facts: dict[str, Any] = {}
    for besluit in (v.besluit_a, v.besluit_b):
        for step in _deciding(besluit, kinds):
            for name, value in step["feiten"].items():
                if name.startswith(CASE_SPACES) or "." not in name:
                    facts.setdefault(name, value)
    if facts:
        shown = "; ".join(
            f"{name.split('.', 1)[-1].replace('_', ' ')}: {_value(value)}"
            for name, value in sorted(facts.items())
        )
        lines.append(f"Wat ertoe doet: {shown}.")
    for versie, besluit in ((r.versie_a, v.besluit_a), (r.versie_b, v.besluit_b)):
        why = "; ".join(f"artikel {s['artikel']}: {s['zin']}" for s in _deciding(besluit, kinds))
        lines.append(f"Onder {versie}: {_decision(besluit)}." + (f" ({why})" if why else ""))
    return lines


def deciding_kinds(*regelsets: Regelset) -> dict[str, str]:
    """Rules whose conclusion is the outcome, the contribution or what is granted (not a
    term or a date), with their kind: a story tells what is granted only where it differs."""
    return {
        rule.id: rule.kind
        for rs in regelsets
        for rule in rs.compiled.rules
        if rule.kind in ("besluit", "eigen_bijdrage", "vaststelling")
    }


def sections(
    r: RegressieRapport, deciding: dict[str, str] | None = None
) -> list[tuple[str, list[str]]]:
    """The report as titled sections of markdown lines, shared by every format."""
    out: list[tuple[str, list[str]]] = []
    e = r.eigen_bijdrage
    head = [
        f"{r.huishoudens} gegenereerde huishoudens (seed {r.seed}, peildatum "
        f"{r.peildatum.isoformat()}), {r.aanvragen} aanvragen. Gewijzigd: "
        f"**{r.huishoudens_gewijzigd} huishoudens, {r.aanvragen_gewijzigd} aanvragen**.",
        "",
        f"*{r.populatie}*",
    ]
    if r.niet_vergeleken:
        head += [
            "",
            "Niet vergeleken (bestaat in één van beide versies; een aanvraag ervoor is geen "
            f"wijziging van de regels): {', '.join(r.niet_vergeleken)}.",
        ]
    out.append(("Samenvatting", head))
    rows = ["| voorziening | aanvragen | gewijzigd |", "|---|---:|---:|"]
    rows += [f"| {v.voorziening} | {v.aanvragen} | {v.gewijzigd} |" for v in r.per_voorziening]
    out.append(("Per voorziening", rows))
    moves = [o for o in r.overgangen if o.van != o.naar]
    rows = ["| voorziening | van | naar | aantal |", "|---|---|---|---:|"]
    rows += [f"| {o.voorziening} | {o.van} | {o.naar} | {o.aantal} |" for o in moves]
    out.append(("Overgangen", rows if moves else ["Geen aanvraag krijgt een andere uitkomst."]))
    lines = [
        f"Per maand, de huishoudbijdrage één keer geteld (het abonnementstarief geldt één keer "
        f"per huishouden, Wmo 2015 art. 2.1.4a lid 4): {r.versie_a} {euro(e.totaal_a)}, "
        f"{r.versie_b} {euro(e.totaal_b)}, verschil {euro(e.verschil)}.",
        "",
    ]
    lines += [f"- {text}: {getattr(e.huishoudens, key)} huishoudens" for key, text in BANDS]
    lines += [
        "",
        "Bijdragen per uur, per keer of per week (algemene voorzieningen; niet in de "
        f"maandtotalen): {e.per_gebruik_meer} aanvragen betalen meer per gebruik, "
        f"{e.per_gebruik_minder} minder.",
    ]
    out.append(("Eigen bijdrage", lines))
    out.append(
        (
            "Per artikel (aanvragen waar de toepassing veranderde)",
            [f"- artikel {a}: {n}" for a, n in r.per_artikel.items()] or ["Geen."],
        )
    )
    rows = [f"| voorziening | uitkomst | {r.versie_a} | {r.versie_b} |", "|---|---|---:|---:|"]
    rows += [
        f"| {d.voorziening} | {d.uitkomst} | {'-' if d.aantal_a is None else d.aantal_a} | "
        f"{'-' if d.aantal_b is None else d.aantal_b} |"
        for d in r.dekking
    ]
    if r.niet_bereikt:
        rows += ["", "**Nooit bereikt** (geen huishouden kwam bij deze uitkomst):", ""]
        rows += [f"- {text}" for text in r.niet_bereikt]
    out.append(("Bereikte uitkomsten", rows))
    examples: list[str] = []
    for v in r.voorbeelden:
        examples += [f"### {v.soort} ({v.aantal}×)", "", *story(v, r, deciding), ""]
        examples += [f"*{v.gevonden_door.capitalize()}.*", ""]
    out.append(("Kleinste voorbeelden", examples or ["Geen wijzigingen."]))
    return out


def report_markdown(r: RegressieRapport, deciding: dict[str, str] | None = None) -> str:
    out = [f"# Regressie {r.versie_a} → {r.versie_b}", ""]
    for title, lines in sections(r, deciding):
        out += [f"## {title}", "", *lines, ""]
    return "\n".join(out).rstrip() + "\n"


def print_report(
    r: RegressieRapport, console: Console, deciding: dict[str, str] | None = None
) -> None:
    from rich.markdown import Markdown

    console.print(Markdown(report_markdown(r, deciding)))


def transitions_by_voorziening(r: RegressieRapport) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for o in r.overgangen:
        if o.van != o.naar:
            out.setdefault(o.voorziening, Counter())[f"{o.van} ⇒ {o.naar}"] += o.aantal
    for v in r.per_voorziening:
        moved = sum(out.get(v.voorziening, Counter()).values())
        if v.gewijzigd > moved:
            out.setdefault(v.voorziening, Counter())["zelfde uitkomst, ander bedrag"] += (
                v.gewijzigd - moved
            )
    return out
