"""What a decision says first, shared by the terminal and markdown views.

The outcome in one sentence, the deciding articles in article order (each with its
sentences, the established facts in words and its legal basis once), and the articles that
were checked without changing the outcome ("ook getoetst").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from . import dutch as nl
from .model import Besluit, BesluitDocument, GrondslagRef, Toelichting

# conclusions that make up the decision itself; termijnen are shown with the outcome
DECIDING_KINDS = ("besluit", "eigen_bijdrage", "ingangsdatum", "vaststelling")
NOT_A_CASE_FACT = ("param.", "voorziening.")
# voorzieningen where 'toegekend' means a measure is imposed on the resident (a sanction)
SANCTIES = frozenset({"verlaging_bijstand"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


@dataclass
class ArticleReason:
    """One deciding article: why it applied, on which facts, on which legal basis."""

    artikel: str
    titel: str
    zinnen: list[str] = field(default_factory=list)
    feiten: list[str] = field(default_factory=list)
    grondslag: list[GrondslagRef] = field(default_factory=list)


def article_key(nummer: str) -> tuple[int, ...]:
    key: list[int] = []
    for part in nummer.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        key.append(int(digits or 0))
        key.append(ord(part[-1]) if part and part[-1].isalpha() else 0)
    return tuple(key)


def _deciding(step: Toelichting) -> bool:
    return step.status == "beslissend" and (step.soort or "besluit") in DECIDING_KINDS


def reasons(besluit: Besluit) -> list[ArticleReason]:
    """The deciding articles in article order, each once."""
    by_article: dict[str, ArticleReason] = {}
    for step in besluit.artikelen:
        if not _deciding(step):
            continue
        reason = by_article.get(step.artikel)
        if reason is None:
            reason = by_article[step.artikel] = ArticleReason(
                step.artikel, step.titel, grondslag=list(step.grondslag)
            )
        if step.zin not in reason.zinnen:
            reason.zinnen.append(step.zin)
        for feit in step.gebruikte_feiten:
            if feit.naam.startswith(NOT_A_CASE_FACT) or feit.naam == "peildatum":
                continue
            if feit.tekst not in reason.feiten:
                reason.feiten.append(feit.tekst)
    return [by_article[a] for a in sorted(by_article, key=article_key)]


def also_checked(besluit: Besluit) -> list[str]:
    """Articles that were checked and did not decide: 'ook getoetst'."""
    deciding = {r.artikel for r in reasons(besluit)}
    timed = {s.artikel for s in besluit.artikelen if s.status == "beslissend"}
    rest = {s.artikel for s in besluit.artikelen} - deciding - timed
    return sorted(rest, key=article_key)


def basis_text(g: GrondslagRef) -> str:
    """Wmo 2015 art. 2.3.5 lid 3 onder a"""
    text = f"{g.wet} art. {g.artikel}"
    if g.lid is not None:
        text += f" lid {g.lid}"
    if g.onderdeel:
        text += f" onder {g.onderdeel}"
    return text


def basis_list(grondslag: list[GrondslagRef]) -> list[tuple[str, list[GrondslagRef]]]:
    """The legal basis grouped per law, in the order the article gives it."""
    groups: dict[str, list[GrondslagRef]] = {}
    for g in grondslag:
        groups.setdefault(g.wet, []).append(g)
    return list(groups.items())


def basis_parts(refs: list[GrondslagRef]) -> list[tuple[str, GrondslagRef]]:
    """'art. 2.3.6 lid 1, 2 en 5' as parts, each with the first reference it stands for."""
    parts: list[tuple[str, GrondslagRef]] = []
    by_article: dict[str, list[GrondslagRef]] = {}
    for g in refs:
        by_article.setdefault(g.artikel, []).append(g)
    for artikel, same in by_article.items():
        leden = [
            f"{g.lid}" + (f" onder {g.onderdeel}" if g.onderdeel else "")
            for g in same
            if g.lid is not None
        ]
        text = f"art. {artikel}"
        if len(leden) > 1:
            text += " lid " + ", ".join(leden[:-1]) + " en " + leden[-1]
        elif leden:
            text += " lid " + leden[0]
        parts.append((text, same[0]))
    return parts


def voorziening_naam(besluit: Besluit) -> str:
    """The voorziening's name as it reads inside a sentence."""
    return nl.kleine_letter(besluit.voorziening_naam or nl.woorden(besluit.voorziening))


def referral(besluit: Besluit) -> str | None:
    """The name of what the request is referred to, as the deciding step says it."""
    if not besluit.verwijzing:
        return None
    for step in besluit.artikelen:
        if _deciding(step) and step.conclusie and "verwijzing naar " in step.conclusie:
            return step.conclusie.split("verwijzing naar ", 1)[1]
    return nl.woorden(besluit.verwijzing)


def bijdrage_text(besluit: Besluit) -> str | None:
    if besluit.eigen_bijdrage is None:
        return None
    b = besluit.eigen_bijdrage
    return f"{nl.bedrag_text(b.bedrag)} per {nl.woorden(b.per)}"


def has_bijdrage(besluit: Besluit) -> bool:
    return besluit.eigen_bijdrage is not None and besluit.eigen_bijdrage.bedrag != "0.00"


def outcome_sentence(besluit: Besluit) -> str:
    """The decision as a beschikking states it, addressed to the resident."""
    naam = voorziening_naam(besluit)
    uitkomst = besluit.uitkomst.value if besluit.uitkomst else None
    if besluit.voorziening in SANCTIES and uitkomst in ("toegekend", "afgewezen"):
        return f"Wij leggen u {'een' if uitkomst == 'toegekend' else 'geen'} {naam} op."
    if uitkomst == "toegekend":
        text = f"Wij kennen u {naam} toe"
        if besluit.ingangsdatum:
            text += f" met ingang van {nl.datum(besluit.ingangsdatum)}"
        text += "."
        if has_bijdrage(besluit):
            text += f" U betaalt een eigen bijdrage van {bijdrage_text(besluit)}."
        elif besluit.eigen_bijdrage is not None:
            text += " U betaalt hiervoor geen eigen bijdrage."
        return text
    if uitkomst == "afgewezen":
        text = f"Wij wijzen uw aanvraag voor {naam} af."
    elif uitkomst == "niet_ontvankelijk":
        text = f"Wij verklaren uw aanvraag voor {naam} niet-ontvankelijk."
    else:
        return (
            f"Wij kunnen nog niet beslissen op uw aanvraag voor {naam}; een medewerker "
            "beoordeelt haar verder."
        )
    target = referral(besluit)
    if target:
        text += f" Wij verwijzen u naar: {target}."
    return text


def value_words(value: bool | int | str) -> str:
    """A value of the JSON document in words (vaststellingen keep only their JSON form)."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return nl.getal(value)
    if ISO_DATE.match(value):
        import datetime as dt

        return nl.datum(dt.date.fromisoformat(value))
    if AMOUNT.match(value):
        return nl.bedrag_text(value)
    return nl.woorden(value)


def summary_rows(besluit: Besluit) -> list[tuple[str, str]]:
    """Outcome, referral, contribution, start, established values and terms."""
    uitkomst = besluit.uitkomst.value if besluit.uitkomst else None
    rows = [("Uitkomst", nl.woorden(uitkomst) if uitkomst else "geen besluit")]
    target = referral(besluit)
    if target:
        rows.append(("Verwijzing", target))
    bijdrage = bijdrage_text(besluit)
    if bijdrage:
        rows.append(("Eigen bijdrage", bijdrage))
    if besluit.ingangsdatum:
        rows.append(("Ingangsdatum", nl.datum(besluit.ingangsdatum)))
    for name, value in besluit.vaststellingen.items():
        rows.append((nl.hoofdletter(nl.woorden(name)), value_words(value)))
    for name, day in besluit.termijnen.items():
        start = term_start(besluit, name)
        text = nl.datum(day) + (f" ({start})" if start else "")
        rows.append((nl.hoofdletter(nl.woorden(name)), text))
    return rows


def term_start(besluit: Besluit, name: str) -> str | None:
    """The day a termijn runs from, in words ("meldingsdatum 20 maart 2026"): a deadline
    shown without its start reads as if it lay before the melding."""
    prefix = f"{nl.woorden(name)}:"
    for step in besluit.artikelen:
        if step.soort != "termijn" or not (step.conclusie or "").startswith(prefix):
            continue
        for used in step.gebruikte_feiten:
            if isinstance(used.waarde, str) and ISO_DATE.match(used.waarde):
                label = used.label.removeprefix("de ").removeprefix("het ")
                return f"{label} {nl.datum(dt.date.fromisoformat(used.waarde))}"
    return None


# Awb 4:5: the resident gets a hersteltermijn to complete the aanvraag before it may be
# left undecided ("buiten behandeling"); the beschikking says so to the resident, the terminal
# to the consulent.
HERSTELTERMIJN_INWONER = (
    "Stuur ons deze gegevens binnen de termijn die wij u geven; anders kunnen wij uw aanvraag "
    "buiten behandeling laten (artikel 4:5 van de Algemene wet bestuursrecht)."
)
HERSTELTERMIJN_CONSULENT = (
    "Vraag de inwoner om deze gegevens binnen een hersteltermijn; zonder die gegevens kan de "
    "aanvraag buiten behandeling blijven (Awb 4:5)."
)


def missing_data(besluit: Besluit) -> list[str]:
    """'Wat we nog van u nodig hebben' (Awb 4:5): one line per missing fact, in words, with
    the articles that need it."""
    out = []
    for item in besluit.ontbrekende_gegevens:
        text = item.omschrijving or nl.woorden(item.feit)
        if item.artikelen:
            text += f" (nodig voor artikel {nl.opsomming(item.artikelen)})"
        out.append(text)
    return out


def household_contribution(doc: BesluitDocument) -> list[str]:
    """The household's eigen bijdrage, stated once per client unit (Wmo 2015 art. 2.1.4a lid 4).

    One line per `huishouden_bijdrage` entry: the amount and the requests it covers together.
    """
    out = []
    for part in doc.huishouden_bijdrage:
        if not AMOUNT.match(part.bedrag):
            continue
        covered = ", ".join(part.besluiten)
        out.append(
            f"{nl.bedrag_text(part.bedrag)} per {nl.woorden(part.per)}, samen voor "
            f"{'de aanvragen' if len(part.besluiten) > 1 else 'de aanvraag'} {covered}"
        )
    return out
