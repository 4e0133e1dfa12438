"""What differs between two versions: articles, rules, parameters, catalogue, vocabulary."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ..language.expressions import format_euro
from ..regels.compiled import CompiledRegelset
from ..regels.model import Artikel


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArtikelVerschil(Out):
    artikel: str
    titel: str
    soort: str  # toegevoegd, verwijderd, gewijzigd
    onderdelen: list[str]
    regels_toegevoegd: list[str]
    regels_verwijderd: list[str]
    regels_gewijzigd: list[str]
    tekst_a: str | None
    tekst_b: str | None


class ParameterVerschil(Out):
    parameter: str
    soort: str
    waarden_a: list[str]
    waarden_b: list[str]


class NaamVerschil(Out):
    naam: str
    soort: str


class VersieVerschil(Out):
    versie_a: str
    versie_b: str
    artikelen: list[ArtikelVerschil]
    parameters: list[ParameterVerschil]
    voorzieningen: list[NaamVerschil]
    begrippen: list[NaamVerschil]

    @property
    def leeg(self) -> bool:
        return not (self.artikelen or self.parameters or self.voorzieningen or self.begrippen)


def _articles(rs: CompiledRegelset) -> dict[str, Artikel]:
    return {a.nummer: a for ch in rs.source.hoofdstukken for a in ch.artikelen}


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def _values(rs: CompiledRegelset, name: str) -> list[str]:
    euro = rs.parameter_units[name].startswith("euro")
    return [
        f"{v.vanaf.isoformat()}: {format_euro(v.value) if euro else v.value} ({v.status.value})"
        for v in rs.parameters[name]
    ]


def _named(a: dict[str, Any], b: dict[str, Any]) -> list[NaamVerschil]:
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in b:
            out.append(NaamVerschil(naam=name, soort="verwijderd"))
        elif name not in a:
            out.append(NaamVerschil(naam=name, soort="toegevoegd"))
        elif a[name] != b[name]:
            out.append(NaamVerschil(naam=name, soort="gewijzigd"))
    return out


def _order(nummer: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in nummer.replace("a", ".a").split("."))


def diff(a: CompiledRegelset, b: CompiledRegelset) -> VersieVerschil:
    arts_a, arts_b = _articles(a), _articles(b)
    articles = []
    for nummer in sorted(set(arts_a) | set(arts_b), key=_order):
        x, y = arts_a.get(nummer), arts_b.get(nummer)
        if x is not None and y is not None and _dump(x) == _dump(y):
            continue
        parts: list[str] = []
        added: list[str] = []
        removed: list[str] = []
        changed: list[str] = []
        if x is not None and y is not None:
            for part in ("titel", "tekst", "grondslag", "bron"):
                if _dump(x).get(part) != _dump(y).get(part):
                    parts.append(part)
            rx = {r.id: _dump(r) for r in x.regels}
            ry = {r.id: _dump(r) for r in y.regels}
            added = sorted(set(ry) - set(rx))
            removed = sorted(set(rx) - set(ry))
            changed = sorted(i for i in set(rx) & set(ry) if rx[i] != ry[i])
            if added or removed or changed:
                parts.append("regels")
        articles.append(
            ArtikelVerschil(
                artikel=nummer,
                titel=(y or x).titel,  # type: ignore[union-attr]
                soort="toegevoegd" if x is None else ("verwijderd" if y is None else "gewijzigd"),
                onderdelen=parts,
                regels_toegevoegd=added,
                regels_verwijderd=removed,
                regels_gewijzigd=changed,
                tekst_a=x.tekst if x is not None else None,
                tekst_b=y.tekst if y is not None else None,
            )
        )
    params = []
    for name in sorted(set(a.parameters) | set(b.parameters)):
        va = _values(a, name) if name in a.parameters else []
        vb = _values(b, name) if name in b.parameters else []
        if va == vb:
            continue
        kind = "toegevoegd" if not va else ("verwijderd" if not vb else "gewijzigd")
        params.append(ParameterVerschil(parameter=name, soort=kind, waarden_a=va, waarden_b=vb))
    vocab_a = {f"{s}.{n}": _dump(f) for s, facts in a.inputs.items() for n, f in facts.items()}
    vocab_a.update({n: _dump(f) for n, f in a.derived.items()})
    vocab_b = {f"{s}.{n}": _dump(f) for s, facts in b.inputs.items() for n, f in facts.items()}
    vocab_b.update({n: _dump(f) for n, f in b.derived.items()})
    return VersieVerschil(
        versie_a=a.meta.versie,
        versie_b=b.meta.versie,
        artikelen=articles,
        parameters=params,
        voorzieningen=_named(
            {k: _dump(v) for k, v in a.catalogue.items()},
            {k: _dump(v) for k, v in b.catalogue.items()},
        ),
        begrippen=_named(vocab_a, vocab_b),
    )


def diff_markdown(d: VersieVerschil) -> str:
    out = [f"# Verschillen {d.versie_a} → {d.versie_b}", ""]
    out += ["## Artikelen", ""]
    if not d.artikelen:
        out.append("Geen verschillen.")
    for art in d.artikelen:
        line = f"- **Artikel {art.artikel} {art.titel}**: {art.soort}"
        if art.onderdelen:
            line += f" ({', '.join(art.onderdelen)})"
        for label, ids in (
            ("regels toegevoegd", art.regels_toegevoegd),
            ("regels verwijderd", art.regels_verwijderd),
            ("regels gewijzigd", art.regels_gewijzigd),
        ):
            if ids:
                line += f"; {label}: {', '.join(ids)}"
        out.append(line)
    out += ["", "## Parameters", ""]
    if not d.parameters:
        out.append("Geen verschillen.")
    for p in d.parameters:
        out.append(
            f"- **{p.parameter}** ({p.soort}): {'; '.join(p.waarden_a) or '-'} → "
            f"{'; '.join(p.waarden_b) or '-'}"
        )
    for title, rows in (("Voorzieningen", d.voorzieningen), ("Begrippen", d.begrippen)):
        out += ["", f"## {title}", ""]
        out += [f"- {r.naam}: {r.soort}" for r in rows] or ["Geen verschillen."]
    return "\n".join(out) + "\n"
