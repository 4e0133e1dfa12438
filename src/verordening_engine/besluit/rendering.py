"""Presentation of decisions and articles: rich for the terminal, markdown for a beschikking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..besluit.model import BesluitDocument

if TYPE_CHECKING:
    from rich.console import Console
from ..regels.compiled import CompiledRegelset
from ..regels.model import Artikel


def _lid(lid: int | None, onderdeel: str | None) -> str:
    """' lid 3 onder d': the lid and, where the law has them, the onderdeel cited."""
    return (f" lid {lid}" if lid else "") + (f" onder {onderdeel}" if onderdeel else "")


def to_markdown(doc: BesluitDocument) -> str:
    """The markdown of a beschikking (see `beschikking`)."""
    from .beschikking import to_markdown as beschikking

    return beschikking(doc)


def print_rich(doc: BesluitDocument, console: Console, volledig: bool = False) -> None:
    """The decision-first terminal view; `volledig` adds every explanation step."""
    from .terminal import print_document

    print_document(doc, console, volledig=volledig)


def article_markdown(rs: CompiledRegelset, artikel: Artikel) -> str:
    out = [f"# Artikel {artikel.nummer} {artikel.titel}", "", artikel.tekst.rstrip(), ""]
    for g in artikel.grondslag:
        wet = rs.meta.wetten[g.wet]
        lid = _lid(g.lid, g.onderdeel)
        out.append(
            f"- Grondslag: {wet.naam} art. {g.artikel}{lid} "
            f"(https://wetten.overheid.nl/jci1.3:c:{wet.bwb}&artikel={g.artikel})"
        )
    bron = artikel.bron
    out.append(
        f"- Bron: {bron.soort.value}"
        + (f" ({bron.document})" if bron.document else "")
        + (f": {bron.toelichting}" if bron.toelichting else "")
    )
    for regel in artikel.regels:
        out += [
            "",
            f"## Regel `{regel.id}`"
            + (" (professionele beoordeling)" if regel.beoordeling else ""),
        ]
        if regel.als:
            out.append(f"- als: `{regel.als.strip()}`")
        if regel.bepaal:
            out += [f"- bepaal {k}: `{v.strip()}`" for k, v in regel.bepaal.items()]
        if regel.besluit:
            target = regel.besluit.verwijzing or regel.besluit.verwijzing_naar
            out.append(
                f"- besluit: {regel.besluit.uitkomst.value}"
                + (f", verwijzing {target}" if target else "")
            )
        if regel.eigen_bijdrage:
            out.append(
                f"- eigen bijdrage: `{regel.eigen_bijdrage.bedrag}`"
                + (f" per {regel.eigen_bijdrage.per}" if regel.eigen_bijdrage.per else "")
            )
        if regel.ingangsdatum:
            out.append(f"- ingangsdatum: `{regel.ingangsdatum}`")
        if regel.uitzondering_op:
            out.append(f"- uitzondering op: {', '.join(regel.uitzondering_op)}")
        if regel.gaat_voor:
            out.append(f"- gaat voor: {', '.join(regel.gaat_voor)}")
        out.append(f"- uitleg: {regel.uitleg.wel.strip()}")
    return "\n".join(out) + "\n"
