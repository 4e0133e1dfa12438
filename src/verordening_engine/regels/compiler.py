"""Cross-file checks and compilation of a loaded regelset into executable rules.

Everything that can be known without a case is checked here, once: names, types of
expressions, who defines each derived fact, cycles, selections, priorities, templates.
"""

from __future__ import annotations

import datetime as dt

from ..errors import Problem, VerordeningError
from ..language.expressions import Compiled, ExpressionError, Ref, T, Value, compile_expression
from ..reading.yaml_loading import Loc
from .compiled import (
    BESLUIT_NAMES,
    BUILTIN_VOORZIENING,
    EURO_UNITS,
    KINDS,
    CompiledInvariant,
    CompiledRegelset,
    CompiledRule,
    Kind,
    _input_type,
)
from .declaration_checks import check_catalogue, check_meta, check_parameters, check_vocabulary
from .declarations import Declarations
from .graph_checks import check_derivations, check_priorities
from .input_checks import compile_input_checks
from .loading import RegelsetSource
from .model import Artikel, Regel
from .templates import template_fields


class Compiler(Declarations):
    """Compiles the rules and invariants of a regelset against its declarations."""

    def __init__(self, source: RegelsetSource) -> None:
        super().__init__(source)
        self.resolver_override: object = None

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

    def param_series(self, name: str) -> tuple[tuple[dt.date, Value], ...] | None:
        """A parameter's values by date, for waarde_op() (None for an unknown parameter)."""
        if name not in self.params:
            return None
        return tuple((v.vanaf, v.value) for v in self.params[name])

    def expression(
        self, file: str, loc: Loc, text: str, applies_to: frozenset[str], expected: T | None
    ) -> Compiled | None:
        resolve = self.resolver_override or self.resolver(applies_to)
        try:
            return compile_expression(text, resolve, expected, self.param_series)  # type: ignore[arg-type]
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
                    doc.file_at(loc),
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
        for r_i, regel in enumerate(artikel.regels):
            for g_i, g in enumerate(regel.grondslag):
                if g.wet not in self.meta.wetten:
                    self.problem(
                        file,
                        (*loc, "regels", r_i, "grondslag", g_i, "wet"),
                        f"unknown law '{g.wet}'",
                    )
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


def _dotted(loc: Loc) -> str:
    from ..reading.yaml_loading import dotted

    return dotted(loc)


def compile_regelset(source: RegelsetSource) -> CompiledRegelset:
    """Check a loaded regelset across its files and compile it; raise with every problem."""
    c = Compiler(source)
    check_meta(c)
    check_vocabulary(c)
    check_parameters(c)
    check_catalogue(c)
    rules = c.rules()
    check_derivations(c, rules)
    defeats, kinds = check_priorities(c, rules)
    invariants = c.invariants()
    checks = compile_input_checks(c)
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
        checks=checks,
    )
