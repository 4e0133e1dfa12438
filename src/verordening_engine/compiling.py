"""Cross-file checks and compilation of a loaded regelset into executable rules.

Everything that can be known without a case is checked here, once: names, types of
expressions, who defines each derived fact, cycles, selections, priorities, templates.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from .errors import Problem, VerordeningError
from .expressions import Compiled, ExpressionError, Ref, T, compile_expression, parse_euro
from .loading import RegelsetSource
from .regelset_model import (
    Artikel,
    Feit,
    Parameter,
    Regel,
    RegelsetMeta,
    Verificatie,
    Voorziening,
)
from .yaml_loading import Loc

Kind = Literal["bepaal", "besluit", "eigen_bijdrage", "ingangsdatum", "termijn", "vaststelling"]
KINDS: tuple[Kind, ...] = (
    "bepaal",
    "besluit",
    "eigen_bijdrage",
    "ingangsdatum",
    "termijn",
    "vaststelling",
)
EURO_UNITS = {
    "euro",
    "euro_per_maand",
    "euro_per_jaar",
    "euro_per_uur",
    "euro_per_keer",
    "euro_per_kilometer",
}

BUILTIN_PERSOON: dict[str, T] = {"geboortedatum": T.datum, "rol": T.tekst}
BUILTIN_HUISHOUDEN: dict[str, T] = {
    "heeft_partner": T.waarheid,
    "aantal_leden": T.getal,
    "aantal_kinderen": T.getal,
}
BUILTIN_VOORZIENING: dict[str, T] = {
    "id": T.tekst,
    "naam": T.tekst,
    "wet": T.tekst,
    "soort": T.tekst,
    "kenmerken": T.lijst_tekst,
    "bijdrage_per": T.tekst,
}


@dataclass(frozen=True)
class ParamValue:
    vanaf: dt.date
    value: int
    status: Verificatie
    bron: str


@dataclass(frozen=True)
class CompiledRule:
    """One rule ready to run: typed expressions, the voorzieningen it is about, what it reads."""

    index: int
    id: str
    artikel: Artikel
    regel: Regel
    kind: Kind
    condition: Compiled | None
    outputs: dict[str, Compiled]
    applies_to: frozenset[str]
    reads: frozenset[Ref]
    needs: tuple[str, ...]
    file: str
    loc: Loc

    @property
    def label(self) -> str:
        return f"artikel {self.artikel.nummer} ({self.id})"


BESLUIT_NAMES: dict[str, T] = {
    "uitkomst": T.tekst,
    "verwijzing": T.tekst,
    "toegekend": T.waarheid,
    "heeft_eigen_bijdrage": T.waarheid,
    "eigen_bijdrage": T.bedrag,
}


@dataclass(frozen=True)
class CompiledInvariant:
    id: str
    omschrijving: str
    applies_to: frozenset[str]
    condition: Compiled | None
    claim: Compiled
    file: str


@dataclass
class CompiledRegelset:
    """A regelset version compiled once per process; immutable after construction."""

    source: RegelsetSource
    meta: RegelsetMeta
    sha256: str
    inputs: dict[str, dict[str, Feit]]
    derived: dict[str, Feit]
    parameters: dict[str, list[ParamValue]]
    parameter_units: dict[str, str]
    catalogue: dict[str, Voorziening]
    rules: tuple[CompiledRule, ...]
    defeats: dict[str, frozenset[str]]
    defeat_kind: dict[tuple[str, str], str] = field(default_factory=dict)
    invariants: tuple[CompiledInvariant, ...] = ()

    @cached_property
    def rule_by_id(self) -> dict[str, CompiledRule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def consumed(self) -> frozenset[str]:
        """Derived facts some rule reads: only these are asserted into the engine."""
        return frozenset(n for r in self.rules for n in r.needs)

    @cached_property
    def rules_for(self) -> dict[str, tuple[CompiledRule, ...]]:
        return {v: tuple(r for r in self.rules if v in r.applies_to) for v in self.catalogue}

    def param_at(self, name: str, day: dt.date) -> ParamValue | None:
        chosen = None
        for value in self.parameters[name]:
            if value.vanaf <= day:
                chosen = value
        return chosen

    def input_type(self, ref: Ref) -> T | None:
        return _input_type(self.inputs, ref)


def _input_type(inputs: dict[str, dict[str, Feit]], ref: Ref) -> T | None:
    space = "persoon" if ref.space == "partner" else ref.space
    if space == "persoon" and ref.name in BUILTIN_PERSOON:
        return BUILTIN_PERSOON[ref.name]
    if space == "huishouden" and ref.name in BUILTIN_HUISHOUDEN:
        return BUILTIN_HUISHOUDEN[ref.name]
    feit = inputs.get(space, {}).get(ref.name)
    return T(feit.type.value) if feit else None


class _Compiler:
    def __init__(self, source: RegelsetSource) -> None:
        self.src = source
        self.problems: list[Problem] = []
        self.meta = source.meta
        # merged definitions, each remembering the file and path that declared it
        self.origin: dict[tuple[str, str], tuple[str, Loc]] = {}
        self.inputs: dict[str, dict[str, Feit]] = {"persoon": {}, "huishouden": {}, "aanvraag": {}}
        self.derived: dict[str, Feit] = {}
        for file, begrippen in source.begrippen:
            for space in self.inputs:
                for name, feit in getattr(begrippen.invoer, space).items():
                    if self.declare(("feit", f"{space}.{name}"), file, ("invoer", space, name)):
                        self.inputs[space][name] = feit
            for name, feit in begrippen.afgeleid.items():
                if self.declare(("feit", name), file, ("afgeleid", name)):
                    self.derived[name] = feit
        self.param_defs: dict[str, Parameter] = {}
        for file, parameters in source.parameters:
            for name, param in parameters.parameters.items():
                if self.declare(("param", name), file, ("parameters", name)):
                    self.param_defs[name] = param
        self.catalogue: dict[str, Voorziening] = {}
        for file, voorzieningen in source.voorzieningen:
            for i, v in enumerate(voorzieningen.voorzieningen):
                if self.declare(("voorziening", v.id), file, ("voorzieningen", i, "id")):
                    self.catalogue[v.id] = v
        self.params: dict[str, list[ParamValue]] = {}
        self.units: dict[str, str] = {}
        self.resolver_override: object = None
        self.broken: set[str] = set()  # rules that did not compile: not re-reported elsewhere

    def problem(self, file: str, loc: Loc, message: str) -> None:
        self.problems.append(self.src.doc(file).problem(loc, message))

    def declare(self, key: tuple[str, str], file: str, loc: Loc) -> bool:
        """Record where a name is declared; a second declaration is a problem."""
        if key in self.origin:
            first, _ = self.origin[key]
            self.problem(file, loc, f"{key[0]} '{key[1]}' is already declared in {first}")
            return False
        self.origin[key] = (file, loc)
        return True

    def where(self, kind: str, name: str) -> tuple[str, Loc]:
        return self.origin[(kind, name)]

    # ----------------------------------------------------------- metadata and catalogue
    def check_meta(self) -> None:
        meta, f = self.meta, "regelset.yaml"
        if meta.geldig_tot is not None and meta.geldig_tot <= meta.geldig_vanaf:
            self.problem(f, ("geldig_tot",), "geldig_tot must be after geldig_vanaf")
        if meta.versie == meta.vorige_versie:
            self.problem(f, ("vorige_versie",), "a version cannot be its own previous version")

    def check_vocabulary(self) -> None:
        for space, facts in self.inputs.items():
            builtin = (
                BUILTIN_PERSOON
                if space == "persoon"
                else (BUILTIN_HUISHOUDEN if space == "huishouden" else {})
            )
            for name, feit in facts.items():
                f, loc = self.where("feit", f"{space}.{name}")
                if name in builtin:
                    self.problem(f, loc, f"'{space}.{name}' is built in and cannot be declared")
                self._check_feit(f, loc, feit)
        for name, feit in self.derived.items():
            f, loc = self.where("feit", name)
            if name in ("peildatum", "waar", "onwaar"):
                self.problem(f, loc, f"'{name}' is a reserved name")
            if feit.standaard is not None:
                self.problem(
                    f, (*loc, "standaard"), "a derived fact has no default: a rule defines it"
                )
            self._check_feit(f, loc, feit)

    def _check_feit(self, f: str, loc: Loc, feit: Feit) -> None:
        if feit.waarden is not None and feit.type.value != "tekst":
            self.problem(f, (*loc, "waarden"), "'waarden' is only for facts of type tekst")
        if feit.standaard is None:
            return
        ok = {
            "waarheid": isinstance(feit.standaard, bool),
            "getal": isinstance(feit.standaard, int) and not isinstance(feit.standaard, bool),
            "datum": isinstance(feit.standaard, dt.date),
            "tekst": isinstance(feit.standaard, str),
            "bedrag": isinstance(feit.standaard, str) and _is_euro(feit.standaard),
        }[feit.type.value]
        if not ok:
            self.problem(f, (*loc, "standaard"), f"default does not fit type {feit.type.value}")
        elif feit.waarden is not None and feit.standaard not in feit.waarden:
            self.problem(f, (*loc, "standaard"), "default is not one of 'waarden'")

    def check_parameters(self) -> None:
        for name, param in self.param_defs.items():
            f, _ = self.where("param", name)
            self.units[name] = param.eenheid.value
            values: list[ParamValue] = []
            previous: dt.date | None = None
            for i, item in enumerate(param.waarden):
                loc: Loc = ("parameters", name, "waarden", i)
                if previous is not None and item.vanaf <= previous:
                    self.problem(f, (*loc, "vanaf"), "values must be in date order, each date once")
                previous = item.vanaf
                if param.eenheid.value in EURO_UNITS:
                    if not isinstance(item.waarde, str):
                        self.problem(
                            f,
                            (*loc, "waarde"),
                            "write an amount as text with two "
                            "decimals, e.g. '21.80' (never a bare number)",
                        )
                        continue
                    try:
                        value = parse_euro(item.waarde)
                    except ValueError as exc:
                        self.problem(f, (*loc, "waarde"), str(exc))
                        continue
                else:
                    if not isinstance(item.waarde, int) or isinstance(item.waarde, bool):
                        self.problem(
                            f,
                            (*loc, "waarde"),
                            f"a value in {param.eenheid.value} must be a whole number",
                        )
                        continue
                    value = item.waarde
                values.append(ParamValue(item.vanaf, value, item.status, item.bron))
            self.params[name] = values

    def check_catalogue(self) -> None:
        for v in self.catalogue.values():
            f, id_loc = self.where("voorziening", v.id)
            loc: Loc = id_loc[:-1]
            if v.id in self.meta.wetten:
                self.problem(
                    f,
                    (*loc, "id"),
                    f"'{v.id}' is also the key of a law in "
                    "regelset.yaml: referrals would be ambiguous",
                )
            if v.wet not in self.meta.wetten:
                self.problem(
                    f, (*loc, "wet"), f"unknown law '{v.wet}' (not in regelset.yaml wetten)"
                )
            for attr, pname in v.parameters.items():
                if attr in BUILTIN_VOORZIENING:
                    self.problem(f, (*loc, "parameters", attr), f"'{attr}' is built in")
                if pname not in self.param_defs:
                    self.problem(f, (*loc, "parameters", attr), f"unknown parameter '{pname}'")
                elif self.param_defs[pname].eenheid.value not in EURO_UNITS:
                    self.problem(
                        f,
                        (*loc, "parameters", attr),
                        f"parameter '{pname}' is not an amount in euros",
                    )

    # ----------------------------------------------------------- rules
    def selection(self, regel: Regel) -> frozenset[str]:
        s = regel.voor
        out = []
        for v in self.catalogue.values():
            if s.wet is not None and v.wet != s.wet:
                continue
            if s.soort is not None and v.soort != s.soort:
                continue
            if s.ids is not None and v.id not in s.ids:
                continue
            if s.kenmerk is not None and s.kenmerk not in v.kenmerken:
                continue
            out.append(v.id)
        return frozenset(out)

    def resolver(self, applies_to: frozenset[str]) -> object:
        def resolve(ref: Ref) -> T | None:
            if ref.space == "peildatum":
                return T.datum
            if ref.space == "afgeleid":
                feit = self.derived.get(ref.name)
                return T(feit.type.value) if feit else None
            if ref.space == "param":
                if ref.name not in self.param_defs:
                    return None
                return T.bedrag if self.units.get(ref.name) in EURO_UNITS else T.getal
            if ref.space == "voorziening":
                if ref.name in BUILTIN_VOORZIENING:
                    return BUILTIN_VOORZIENING[ref.name]
                if applies_to and all(ref.name in self.catalogue[v].parameters for v in applies_to):
                    return T.bedrag
                return None
            return _input_type(self.inputs, ref)

        return resolve

    def expression(
        self, file: str, loc: Loc, text: str, applies_to: frozenset[str], expected: T | None
    ) -> Compiled | None:
        resolve = self.resolver_override or self.resolver(applies_to)
        try:
            return compile_expression(text, resolve, expected)  # type: ignore[arg-type]
        except ExpressionError as exc:
            doc = self.src.doc(file)
            line, column = doc.position(loc)
            if line is not None:
                line += exc.line - 1
            if column is not None and exc.line == 1:
                column += exc.column - 1
            elif exc.line > 1:
                column = exc.column
            self.problems.append(
                Problem(
                    doc.file,
                    line,
                    column,
                    _dotted(loc),
                    f"in expression '{text.strip()}': {exc.message}",
                )
            )
            return None

    def rules(self) -> list[CompiledRule]:
        compiled: list[CompiledRule] = []
        seen_ids: dict[str, str] = {}
        seen_articles: set[str] = set()
        for file, chapter in zip(
            self.meta.bestanden.hoofdstukken, self.src.hoofdstukken, strict=True
        ):
            for a_i, artikel in enumerate(chapter.artikelen):
                aloc: Loc = ("artikelen", a_i)
                if artikel.nummer in seen_articles:
                    self.problem(file, (*aloc, "nummer"), f"artikel {artikel.nummer} appears twice")
                seen_articles.add(artikel.nummer)
                self.check_article(file, aloc, artikel)
                for r_i, regel in enumerate(artikel.regels):
                    rloc: Loc = (*aloc, "regels", r_i)
                    if regel.id in seen_ids:
                        self.problem(
                            file,
                            (*rloc, "id"),
                            f"rule id '{regel.id}' is also used in {seen_ids[regel.id]}",
                        )
                    seen_ids[regel.id] = f"artikel {artikel.nummer}"
                    rule = self.rule(file, rloc, artikel, regel, len(compiled))
                    if rule is not None:
                        compiled.append(rule)
                    else:
                        self.broken.add(regel.id)
        return compiled

    def check_article(self, file: str, loc: Loc, artikel: Artikel) -> None:
        for g_i, g in enumerate(artikel.grondslag):
            if g.wet not in self.meta.wetten:
                self.problem(file, (*loc, "grondslag", g_i, "wet"), f"unknown law '{g.wet}'")
        bron = artikel.bron
        if bron.soort.value == "document":
            if bron.document is None:
                self.problem(file, (*loc, "bron"), "bron 'document' needs the document key")
            elif bron.document not in self.meta.documenten:
                self.problem(
                    file, (*loc, "bron", "document"), f"unknown document '{bron.document}'"
                )
        if bron.soort.value == "wet" and not artikel.grondslag:
            self.problem(file, (*loc, "bron"), "bron 'wet' needs a grondslag")

    def rule(
        self, file: str, loc: Loc, artikel: Artikel, regel: Regel, index: int
    ) -> CompiledRule | None:
        kinds: list[Kind] = [k for k in KINDS if getattr(regel, k) is not None]
        if len(kinds) != 1:
            self.problem(file, loc, "a rule has exactly one of " + ", ".join(KINDS))
            return None
        kind = kinds[0]
        for key in ("wet", "ids", "kenmerk"):
            self._check_selector(file, (*loc, "voor", key), regel, key)
        applies_to = self.selection(regel)
        if not applies_to:
            self.problem(file, (*loc, "voor"), "no voorziening in the catalogue matches")
        ok = True
        condition = None
        if regel.als is not None:
            condition = self.expression(file, (*loc, "als"), regel.als, applies_to, T.waarheid)
            ok = condition is not None
        outputs: dict[str, Compiled] = {}
        if kind == "bepaal":
            if regel.als is not None:
                self.problem(
                    file,
                    (*loc, "als"),
                    "a 'bepaal' rule defines its facts for every "
                    "case: put the condition inside the expression (x if ... else y)",
                )
            for name, text in (regel.bepaal or {}).items():
                feit = self.derived.get(name)
                if feit is None:
                    self.problem(
                        file,
                        (*loc, "bepaal", name),
                        f"'{name}' is not declared under afgeleid in the vocabulary",
                    )
                    ok = False
                    continue
                expr = self.expression(
                    file, (*loc, "bepaal", name), text, applies_to, T(feit.type.value)
                )
                if expr is None:
                    ok = False
                else:
                    outputs[name] = expr
        elif kind == "eigen_bijdrage":
            assert regel.eigen_bijdrage is not None
            expr = self.expression(
                file,
                (*loc, "eigen_bijdrage", "bedrag"),
                regel.eigen_bijdrage.bedrag,
                applies_to,
                T.bedrag,
            )
            ok = ok and expr is not None
            if expr is not None:
                outputs["bedrag"] = expr
            if regel.eigen_bijdrage.per is None:
                lacking = sorted(v for v in applies_to if self.catalogue[v].bijdrage_per is None)
                if lacking:
                    self.problem(
                        file,
                        (*loc, "eigen_bijdrage"),
                        "no 'per' given and no "
                        f"bijdrage_per in the catalogue for {', '.join(lacking)}",
                    )
                    ok = False
        elif kind in ("termijn", "vaststelling"):
            for name, text in (getattr(regel, kind) or {}).items():
                expr = self.expression(
                    file,
                    (*loc, kind, name),
                    text,
                    applies_to,
                    T.datum if kind == "termijn" else None,
                )
                if expr is None:
                    ok = False
                elif expr.type in (T.lijst_tekst, T.lijst_getal):
                    self.problem(file, (*loc, kind, name), "a list cannot be recorded")
                    ok = False
                else:
                    outputs[name] = expr
        elif kind == "ingangsdatum":
            assert regel.ingangsdatum is not None
            expr = self.expression(
                file, (*loc, "ingangsdatum"), regel.ingangsdatum, applies_to, T.datum
            )
            ok = ok and expr is not None
            if expr is not None:
                outputs["ingangsdatum"] = expr
        else:
            assert regel.besluit is not None
            targets = set(self.catalogue) | set(self.meta.wetten)
            target = regel.besluit.verwijzing
            if target is not None and target not in targets:
                self.problem(
                    file,
                    (*loc, "besluit", "verwijzing"),
                    f"'{target}' is neither a "
                    "voorziening in the catalogue nor a law in regelset.yaml",
                )
            if regel.besluit.verwijzing_naar is not None:
                if target is not None:
                    self.problem(
                        file, (*loc, "besluit"), "give verwijzing or verwijzing_naar, not both"
                    )
                expr = self.expression(
                    file,
                    (*loc, "besluit", "verwijzing_naar"),
                    regel.besluit.verwijzing_naar,
                    applies_to,
                    T.tekst,
                )
                ok = ok and expr is not None
                if expr is not None:
                    outputs["verwijzing"] = expr
                    for ref in expr.reads:
                        feit = self.inputs.get(ref.space, {}).get(ref.name)
                        if feit is None or feit.waarden is None:
                            self.problem(
                                file,
                                (*loc, "besluit", "verwijzing_naar"),
                                f"'{ref}' must be a tekst fact with declared waarden",
                            )
                            ok = False
                        elif bad := sorted(set(feit.waarden) - targets):
                            self.problem(
                                file,
                                (*loc, "besluit", "verwijzing_naar"),
                                f"'{ref}' allows {', '.join(bad)}, which are not referral targets",
                            )
                            ok = False
        own = set(outputs) | ({"verwijzing"} if kind == "besluit" else set())
        template_reads = self.templates(file, loc, regel, applies_to, own)
        if not ok or template_reads is None:
            return None
        expression_reads = frozenset().union(
            *(e.reads for e in [condition, *outputs.values()] if e is not None)
        )
        reads = frozenset(template_reads) | expression_reads
        # a rule waits for every derived fact its expressions read (its own outputs included,
        # so that self-reference shows up as a cycle) and for those its templates show
        needs = tuple(
            sorted(
                {r.name for r in expression_reads if r.space == "afgeleid"}
                | {r.name for r in template_reads if r.space == "afgeleid"}
            )
        )
        return CompiledRule(
            index,
            regel.id,
            artikel,
            regel,
            kind,
            condition,
            outputs,
            applies_to,
            reads,
            needs,
            file,
            loc,
        )

    def _check_selector(self, file: str, loc: Loc, regel: Regel, key: str) -> None:
        s = regel.voor
        if key == "wet" and s.wet is not None and s.wet not in self.meta.wetten:
            self.problem(file, loc, f"unknown law '{s.wet}'")
        if key == "ids":
            for i, vid in enumerate(s.ids or []):
                if vid not in self.catalogue:
                    self.problem(file, (*loc, i), f"voorziening '{vid}' is not in the catalogue")
        if (
            key == "kenmerk"
            and s.kenmerk is not None
            and not any(s.kenmerk in v.kenmerken for v in self.catalogue.values())
        ):
            self.problem(file, loc, f"no voorziening has kenmerk '{s.kenmerk}'")

    def templates(
        self, file: str, loc: Loc, regel: Regel, applies_to: frozenset[str], own: set[str]
    ) -> set[Ref] | None:
        reads: set[Ref] = set()
        resolve = self.resolver(applies_to)
        ok = True
        for key in ("wel", "niet"):
            text = getattr(regel.uitleg, key)
            if text is None:
                continue
            for name in template_fields(
                text, file, self.src.doc(file).problem((*loc, "uitleg", key), ""), self.problems
            ):
                if name in own:
                    continue
                space, _, attr = name.rpartition(".")
                ref = (
                    Ref(space, attr)
                    if space
                    else (
                        Ref("peildatum", "peildatum")
                        if attr == "peildatum"
                        else Ref("afgeleid", attr)
                    )
                )
                if resolve(ref) is None:  # type: ignore[operator]
                    self.problem(
                        file, (*loc, "uitleg", key), f"unknown name '{{{name}}}' in the explanation"
                    )
                    ok = False
                else:
                    reads.add(ref)
        return reads if ok else None

    def invariants(self) -> list[CompiledInvariant]:
        out = []
        seen: set[str] = set()
        for file, model in self.src.invarianten:
            for i, inv in enumerate(model.invarianten):
                loc: Loc = ("invarianten", i)
                if inv.id in seen:
                    self.problem(file, (*loc, "id"), f"invariant '{inv.id}' appears twice")
                seen.add(inv.id)
                applies_to = self.selection(inv)  # type: ignore[arg-type]
                if not applies_to:
                    self.problem(file, (*loc, "voor"), "no voorziening in the catalogue matches")
                    continue
                base = self.resolver(applies_to)

                def resolve(ref: Ref, base: object = base) -> T | None:
                    if ref.space == "besluit":
                        return BESLUIT_NAMES.get(ref.name)
                    return base(ref)  # type: ignore[operator, no-any-return]

                self.resolver_override = resolve
                cond = None
                if inv.als is not None:
                    cond = self.expression(file, (*loc, "als"), inv.als, applies_to, T.waarheid)
                claim = self.expression(file, (*loc, "dan"), inv.dan, applies_to, T.waarheid)
                self.resolver_override = None
                if claim is not None and (inv.als is None or cond is not None):
                    out.append(
                        CompiledInvariant(inv.id, inv.omschrijving, applies_to, cond, claim, file)
                    )
        return out

    # ----------------------------------------------------------- graph checks
    def check_derivations(self, rules: list[CompiledRule]) -> None:
        definers: dict[str, CompiledRule] = {}
        for rule in rules:
            for name in rule.outputs if rule.kind == "bepaal" else ():
                if name in definers:
                    self.problem(
                        rule.file,
                        (*_rule_loc(rule), "bepaal", name),
                        f"'{name}' is already defined by rule '{definers[name].id}'",
                    )
                definers[name] = rule
        for name in self.derived:
            if name not in definers:
                f, loc = self.where("feit", name)
                self.problem(f, loc, f"no rule defines '{name}' (add a 'bepaal')")
        for rule in rules:
            for name in rule.needs:
                definer = definers.get(name)
                if definer is not None and not rule.applies_to <= definer.applies_to:
                    missing = sorted(rule.applies_to - definer.applies_to)
                    self.problem(
                        rule.file,
                        _rule_loc(rule),
                        f"reads '{name}', which rule "
                        f"'{definer.id}' does not define for {', '.join(missing)}",
                    )
        # cycles among derived facts
        graph = {name: set(r.needs) for name, r in definers.items()}
        for cycle in _cycles(graph):
            rule = definers[cycle[0]]
            self.problem(
                rule.file,
                _rule_loc(rule),
                f"derived facts depend on each other in a cycle: {' -> '.join([*cycle, cycle[0]])}",
            )

    def check_priorities(
        self, rules: list[CompiledRule]
    ) -> tuple[dict[str, frozenset[str]], dict[tuple[str, str], str]]:
        by_id = {r.id: r for r in rules}
        defeats: dict[str, set[str]] = {r.id: set() for r in rules}
        kinds: dict[tuple[str, str], str] = {}
        for rule in rules:
            for key in ("uitzondering_op", "gaat_voor"):
                for i, other_id in enumerate(getattr(rule.regel, key)):
                    loc = (*_rule_loc(rule), key, i)
                    other = by_id.get(other_id)
                    if other is None:
                        if other_id not in self.broken:
                            self.problem(rule.file, loc, f"unknown rule '{other_id}'")
                        continue
                    if other.kind != rule.kind or rule.kind == "bepaal":
                        self.problem(
                            rule.file,
                            loc,
                            f"'{other_id}' concludes {other.kind}, "
                            f"this rule {rule.kind}: priorities only apply between "
                            "rules with the same kind of conclusion (not bepaal)",
                        )
                        continue
                    if not rule.applies_to & other.applies_to:
                        self.problem(
                            rule.file,
                            loc,
                            f"'{other_id}' is never about the same voorziening as this rule",
                        )
                    defeats[rule.id].add(other_id)
                    kinds[(rule.id, other_id)] = key
        for cycle in _cycles(defeats):
            rule = by_id[cycle[0]]
            self.problem(
                rule.file,
                _rule_loc(rule),
                f"priorities form a cycle: {' -> '.join([*cycle, cycle[0]])}",
            )
        return {k: frozenset(v) for k, v in defeats.items()}, kinds


def _rule_loc(rule: CompiledRule) -> Loc:
    return rule.loc


def _dotted(loc: Loc) -> str:
    from .yaml_loading import dotted

    return dotted(loc)


def _is_euro(text: str) -> bool:
    try:
        parse_euro(text)
    except ValueError:
        return False
    return True


def template_fields(
    text: str, file: str, anchor: Problem, problems: list[Problem]
) -> Iterator[str]:
    """Placeholders `{name}` in an explanation template (no format specs, no indexing)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        problems.append(
            Problem(
                anchor.file,
                anchor.line,
                anchor.column,
                anchor.field,
                f"explanation template: {exc}",
            )
        )
        return
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if (
            spec
            or conversion
            or not all(part.isidentifier() for part in name.split("."))
            or (name.count(".") > 1)
        ):
            problems.append(
                Problem(
                    anchor.file,
                    anchor.line,
                    anchor.column,
                    anchor.field,
                    f"explanation template: '{{{name}}}' must be a plain name",
                )
            )
            continue
        yield name


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group (deterministic order)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def compile_regelset(source: RegelsetSource) -> CompiledRegelset:
    """Check a loaded regelset across its files and compile it; raise with every problem."""
    c = _Compiler(source)
    c.check_meta()
    c.check_vocabulary()
    c.check_parameters()
    c.check_catalogue()
    rules = c.rules()
    c.check_derivations(rules)
    defeats, kinds = c.check_priorities(rules)
    invariants = c.invariants()
    if c.problems:
        raise VerordeningError(c.problems)
    return CompiledRegelset(
        source=source,
        meta=source.meta,
        sha256=source.sha256,
        inputs=c.inputs,
        derived=c.derived,
        parameters=c.params,
        parameter_units=c.units,
        catalogue=c.catalogue,
        rules=tuple(rules),
        defeats=defeats,
        defeat_kind=kinds,
        invariants=tuple(invariants),
    )
