"""Bind a validated case to a compiled regelset: typed input values per request.

The case model only knows the generic shape; here each fact is checked against the
regelset's vocabulary (name, type, allowed values, and the declared checks: ranges, order
between dates, implications), with all problems located in the case file.

Missing is not a value: a fact the case does not give and that has no `standaard` is
recorded as absent (with its JSON Pointer), not filled in. The evaluation reports a rule
that needs it as open, and the request is then not decided (ontbrekende_gegevens).

This module is longer than 500 lines because binding and what it prepares once per
regelset (the vocabulary's kinds and defaults, the checks as generated functions) are one
step on shared data; split, that data would be passed between modules for every case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..casus.model import Casus, Lid, Rol
from ..errors import Problem, VerordeningError, did_you_mean
from ..language.codegen import Generated, generate
from ..language.expressions import MissingValue, Ref, T, Value, add_months, format_euro, parse_euro
from ..reading.spellings import parse_iso_date
from ..reading.yaml_loading import Loc, LocatedDocument
from ..regels.compiled import CompiledRegelset, InputCheck
from ..regels.model import Feit

# dates the rules can compute with safely (ages, terms of years ahead)
EARLIEST = dt.date(1880, 1, 1)
LATEST = dt.date(2200, 12, 31)


@dataclass(frozen=True)
class RequestInputs:
    """Everything a request's rules may read, except derived facts.

    `absent` maps each declared input fact the case does not give (and that has no
    standaard) to its path in the case document (`pointer` makes it a JSON Pointer; built
    only for the facts a decision asks for).
    """

    aanvraag: str
    persoon: str
    voorziening: str
    values: dict[Ref, Value]
    absent: Mapping[Ref, Loc] = field(default_factory=dict)


def pointer(loc: Loc) -> str:
    """A JSON Pointer (RFC 6901) for a path in the case document."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def _convert(feit: Feit, value: Any, kind: str | None = None) -> Value:
    kind = kind or feit.type.value
    if kind == "waarheid":
        if isinstance(value, bool):
            return value
        raise ValueError("expected true or false")
    if kind == "getal":
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > 10**12:
                raise ValueError("number out of range")
            return value
        raise ValueError("expected a whole number")
    if kind == "bedrag":
        if isinstance(value, str):
            return parse_euro(value)
        raise ValueError("expected an amount as text with two decimals, e.g. '1234.50'")
    if kind == "datum":
        day = parse_iso_date(value)
        if not EARLIEST <= day <= LATEST:
            raise ValueError(f"date outside the supported range {EARLIEST} to {LATEST}")
        return day
    if not isinstance(value, str):
        raise ValueError("expected text")
    if any(ord(ch) < 32 for ch in value):
        raise ValueError("text may not contain control characters")
    if feit.waarden is not None and value not in feit.waarden:
        raise ValueError(f"'{value}' is not one of: {', '.join(feit.waarden)}")
    return value


def _shown(rs: CompiledRegelset, ref: Ref, value: Value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if rs.input_type(ref) is T.bedrag and isinstance(value, int):
        return format_euro(value)
    return str(value)


_NO_DEFAULT = object()


class _Refs(dict[str, Ref]):
    """Name -> Ref of one space; a name not seen yet gets its Ref on first use."""

    def __init__(self, space: str) -> None:
        super().__init__()
        self.name = space

    def __missing__(self, name: str) -> Ref:
        found = self[name] = Ref(self.name, name)
        return found


@dataclass(frozen=True)
class _Check:
    """A declared input check with its expressions as generated functions."""

    check: InputCheck
    als: Generated | None
    eis: Generated
    reads: frozenset[Ref]
    order: tuple[Ref, ...]


class _Prepared:
    """What binding needs of a regelset that does not depend on the case: made once.

    Per space the vocabulary with each fact's kind and converted `standaard`, the `Ref` of
    every name, the checks with generated functions, and per voorziening the parameters its
    rules read; the parameter values by peildatum are kept for the last days asked.
    """

    def __init__(self, rs: CompiledRegelset) -> None:
        self.vocab: dict[str, dict[str, tuple[Feit, str]]] = {}
        self.defaults: dict[str, list[tuple[str, object]]] = {}
        for space, feiten in rs.inputs.items():
            self.vocab[space] = {name: (feit, feit.type.value) for name, feit in feiten.items()}
            defaults: list[tuple[str, object]] = []
            for name, feit in feiten.items():
                if feit.standaard is None:
                    defaults.append((name, _NO_DEFAULT))
                    continue
                try:
                    defaults.append((name, _convert(feit, feit.standaard)))
                except ValueError:
                    defaults.append((name, feit))  # converted (and failing) per case, as before
            self.defaults[space] = defaults
        self.refs: dict[str, _Refs] = {}
        exprs = []
        for check in rs.checks:
            if check.als is not None:
                exprs.append(check.als)
            exprs.append(check.eis)
        functions = iter(generate(exprs))
        self.checks: dict[str, list[_Check]] = {}
        for check in rs.checks:
            als = next(functions) if check.als is not None else None
            reads = check.eis.reads | (check.als.reads if check.als is not None else frozenset())
            self.checks.setdefault(check.space, []).append(
                _Check(check, als, next(functions), reads, tuple(sorted(reads)))
            )
        # whether a check holds, by its values with an absent fact among them (the closures'
        # three-valued path raises MissingValue; cases repeat these few values a lot)
        self.outcomes: dict[tuple[object, ...], bool] = {}
        self.needed: dict[str, tuple[Ref, ...]] = {
            v: tuple(
                sorted(
                    {
                        ref
                        for rule in rules
                        for ref in rule.reads
                        if ref.space in ("param", "voorziening")
                    }
                )
            )
            for v, rules in rs.rules_for.items()
        }
        self.params: dict[dt.date, dict[Ref, Value]] = {}

    def space(self, space: str) -> _Refs:
        """The `Ref` of each name of `space`, made once."""
        found = self.refs.get(space)
        if found is None:
            found = self.refs[space] = _Refs(space)
        return found

    def parameters(self, rs: CompiledRegelset, day: dt.date) -> dict[Ref, Value]:
        found = self.params.get(day)
        if found is None:
            if len(self.params) > 256:
                self.params.clear()
            found = {}
            for name in rs.parameters:
                dated = rs.param_at(name, day)
                if dated is not None:
                    found[Ref("param", name)] = dated.value
            self.params[day] = found
        return found


_PREPARED: dict[int, tuple[CompiledRegelset, _Prepared]] = {}


def _prepared(rs: CompiledRegelset) -> _Prepared:
    found = _PREPARED.get(id(rs))
    if found is None or found[0] is not rs:
        if len(_PREPARED) > 16:
            _PREPARED.clear()
        found = _PREPARED[id(rs)] = (rs, _Prepared(rs))
    return found[1]


class _Binder:
    def __init__(self, regelset: CompiledRegelset, casus: Casus, doc: LocatedDocument) -> None:
        self.rs = regelset
        self.casus = casus
        self.doc = doc
        self.problems: list[Problem] = []
        self.prep = _prepared(regelset)

    def facts(
        self, space: str, given: dict[str, Any], loc: Loc
    ) -> tuple[dict[str, Value], dict[str, Loc]]:
        """Typed values of one person, household or request, and the absent facts' paths."""
        vocab = self.prep.vocab[space]
        out: dict[str, Value] = {}
        absent: dict[str, Loc] = {}
        for name, value in given.items():
            known = vocab.get(name)
            if known is None:
                hint = did_you_mean(str(name), self.rs.inputs[space], list_known=True)
                self.problems.append(
                    self.doc.problem((*loc, name), f"unknown fact for {space}: '{name}'{hint}")
                )
                continue
            try:
                out[name] = _convert(known[0], value, known[1])
            except ValueError as exc:
                self.problems.append(self.doc.problem((*loc, name), str(exc)))
        for name, default in self.prep.defaults[space]:
            if name in given:
                continue
            if default is _NO_DEFAULT:
                absent[name] = (*loc, name)
            elif isinstance(default, Feit):
                out[name] = _convert(default, default.standaard)
            else:
                out[name] = default  # type: ignore[assignment]
        return out, absent

    def check(
        self,
        space: str,
        values: dict[Ref, Value],
        given: Mapping[str, Any],
        loc: Loc,
        field_loc: Loc | None = None,
    ) -> None:
        """Run the declared checks of `space` on one member, the household or one request."""

        def ctx(ref: Ref) -> Value:
            try:
                return values[ref]
            except KeyError:
                raise MissingValue(ref) from None

        keys = values.keys()
        for prepared in self.prep.checks.get(space, ()):
            check = prepared.check
            if check.gegeven is not None and check.gegeven not in given:
                continue
            try:
                if keys >= prepared.reads:  # every name present: the generated functions
                    if prepared.als is not None and not prepared.als(values):
                        continue
                    if prepared.eis(values):
                        continue
                elif self.holds(prepared, values, ctx):  # an absent fact: three-valued
                    continue
            except MissingValue:
                continue  # a check on a value the case does not give cannot fail
            except (ArithmeticError, ValueError):
                pass  # a value so far out of range that the check cannot compute: a problem
            shown = ", ".join(
                f"{ref} = {_shown(self.rs, ref, values[ref])}"
                for ref in sorted(check.eis.reads)
                if ref in values
            )
            where = (
                (*loc, check.veld)
                if check.veld in given or field_loc is None
                else (*field_loc, check.veld)
            )
            self.problems.append(
                self.doc.problem(where, f"{check.melding}" + (f" ({shown})" if shown else ""))
            )

    def holds(
        self, prepared: _Check, values: dict[Ref, Value], ctx: Callable[[Ref], Value]
    ) -> bool:
        """A check on the closures, for values without some fact it reads; remembered."""
        key = (id(prepared), *(values.get(ref, _NO_DEFAULT) for ref in prepared.order))
        outcomes = self.prep.outcomes
        found = outcomes.get(key)
        if found is None:
            check = prepared.check
            try:
                found = (check.als is not None and not check.als(ctx)) or bool(check.eis(ctx))
            except MissingValue:
                found = True  # a check on a value the case does not give cannot fail
            # ArithmeticError and ValueError propagate (not remembered): a problem each time
            if len(outcomes) > 50_000:
                outcomes.clear()
            outcomes[key] = found
        return found

    def person(self, lid: Lid, index: int) -> tuple[dict[str, Value], dict[str, Loc]]:
        values, absent = self.facts(
            "persoon", dict(lid.feiten), ("huishouden", "leden", index, "feiten")
        )
        values["geboortedatum"] = lid.geboortedatum
        values["rol"] = lid.rol.value
        return values, absent

    def bind(self) -> list[RequestInputs]:
        casus = self.casus
        leden = casus.huishouden.leden
        ids: dict[str, int] = {}
        if not EARLIEST <= casus.peildatum <= LATEST:
            self.problems.append(
                self.doc.problem(
                    ("peildatum",), f"peildatum outside the supported range {EARLIEST} to {LATEST}"
                )
            )
        for i, lid in enumerate(leden):
            if lid.id in ids:
                self.problems.append(
                    self.doc.problem(
                        ("huishouden", "leden", i, "id"), f"member id '{lid.id}' is used twice"
                    )
                )
            ids.setdefault(lid.id, i)
            if lid.geboortedatum < EARLIEST:
                self.problems.append(
                    self.doc.problem(
                        ("huishouden", "leden", i, "geboortedatum"),
                        f"geboortedatum before {EARLIEST}",
                    )
                )
            if lid.geboortedatum > casus.peildatum:
                self.problems.append(
                    self.doc.problem(
                        ("huishouden", "leden", i, "geboortedatum"),
                        "geboortedatum is after the peildatum",
                    )
                )
        for rol in (Rol.aanvrager, Rol.partner):
            if sum(1 for lid in leden if lid.rol == rol) > 1:
                self.problems.append(
                    self.doc.problem(
                        ("huishouden", "leden"), f"more than one member with rol {rol}"
                    )
                )
        space = self.prep.space
        peil: dict[Ref, Value] = {Ref("peildatum", "peildatum"): casus.peildatum}
        household, hh_absent = self.facts(
            "huishouden", dict(casus.huishouden.feiten), ("huishouden", "feiten")
        )
        household["aantal_leden"] = len(leden)
        household["aantal_kinderen"] = sum(1 for lid in leden if lid.rol == Rol.kind)
        # under 18 on the peildatum: a "ten laste komend kind" (Participatiewet art. 4 lid 1)
        household["aantal_minderjarige_kinderen"] = sum(
            1
            for lid in leden
            if lid.rol == Rol.kind and add_months(lid.geboortedatum, 18 * 12) > casus.peildatum
        )
        huishouden = space("huishouden")
        hh_refs = {huishouden[n]: v for n, v in household.items()}
        self.check(
            "huishouden", {**peil, **hh_refs}, casus.huishouden.feiten, ("huishouden", "feiten")
        )
        persons: dict[str, tuple[dict[str, Value], dict[str, Loc]]] = {}
        persoon = space("persoon")
        for i, lid in enumerate(leden):
            persons[lid.id] = self.person(lid, i)
            member = {persoon[n]: v for n, v in persons[lid.id][0].items()}
            self.check(
                "persoon",
                {**peil, **hh_refs, **member},
                lid.feiten,
                ("huishouden", "leden", i, "feiten"),
                ("huishouden", "leden", i),
            )
        params = self.prep.parameters(self.rs, casus.peildatum)
        partner_space, request_space = space("partner"), space("aanvraag")
        requests: list[RequestInputs] = []
        seen: set[str] = set()
        for i, aanvraag in enumerate(casus.aanvragen):
            loc: Loc = ("aanvragen", i)
            if aanvraag.id in seen:
                self.problems.append(
                    self.doc.problem((*loc, "id"), f"request id '{aanvraag.id}' used twice")
                )
            seen.add(aanvraag.id)
            # checked before the request's other problems, so all are reported in one run
            request_values, request_absent = self.facts(
                "aanvraag", dict(aanvraag.feiten), (*loc, "feiten")
            )
            if aanvraag.persoon not in ids:
                self.problems.append(
                    self.doc.problem(
                        (*loc, "persoon"), f"no household member with id '{aanvraag.persoon}'"
                    )
                )
                continue
            voorziening = self.rs.catalogue.get(aanvraag.voorziening)
            if voorziening is None:
                self.problems.append(
                    self.doc.problem(
                        (*loc, "voorziening"),
                        f"unknown voorziening '{aanvraag.voorziening}' in version "
                        f"{self.rs.meta.versie}"
                        f"{did_you_mean(aanvraag.voorziening, self.rs.catalogue, list_known=True)}",
                    )
                )
                continue
            values: dict[Ref, Value] = dict(peil)
            values.update(params)
            absent: dict[Ref, Loc] = {}
            person_values, person_absent = persons[aanvraag.persoon]
            for name, value in person_values.items():
                values[persoon[name]] = value
            for name, path in person_absent.items():
                absent[persoon[name]] = path
            partner = self.partner_of(leden[ids[aanvraag.persoon]])
            if partner is not None:
                partner_values, partner_absent = persons[partner]
                for name, value in partner_values.items():
                    values[partner_space[name]] = value
                for name, path in partner_absent.items():
                    absent[partner_space[name]] = path
            values.update(hh_refs)
            values[Ref("huishouden", "heeft_partner")] = partner is not None
            for name, path in hh_absent.items():
                absent[huishouden[name]] = path
            for name, value in request_values.items():
                values[request_space[name]] = value
            for name, path in request_absent.items():
                absent[request_space[name]] = path
            self.check("aanvraag", values, aanvraag.feiten, (*loc, "feiten"), loc)
            values[Ref("voorziening", "id")] = voorziening.id
            values[Ref("voorziening", "naam")] = voorziening.naam
            values[Ref("voorziening", "wet")] = voorziening.wet
            values[Ref("voorziening", "soort")] = voorziening.soort.value
            values[Ref("voorziening", "kenmerken")] = tuple(voorziening.kenmerken)
            values[Ref("voorziening", "bijdrage_per")] = voorziening.bijdrage_per or ""
            for attr, pname in voorziening.parameters.items():
                pvalue = self.rs.param_at(pname, casus.peildatum)
                if pvalue is not None:
                    values[Ref("voorziening", attr)] = pvalue.value
            self.check_parameters(aanvraag.voorziening, values, loc)
            requests.append(
                RequestInputs(aanvraag.id, aanvraag.persoon, voorziening.id, values, absent)
            )
        if self.problems:
            raise VerordeningError(self.problems)
        return requests

    def partner_of(self, lid: Lid) -> str | None:
        other = {Rol.aanvrager: Rol.partner, Rol.partner: Rol.aanvrager}.get(lid.rol)
        for member in self.casus.huishouden.leden:
            if other is not None and member.rol == other:
                return member.id
        return None

    def check_parameters(self, voorziening: str, values: dict[Ref, Value], loc: Loc) -> None:
        """Every parameter the rules read has a value on the peildatum (else: regelset gap)."""
        missing = [ref for ref in self.prep.needed[voorziening] if ref not in values]
        for ref in missing:
            self.problems.append(
                self.doc.problem(
                    loc,
                    f"parameter for '{ref}' has no value on peildatum "
                    f"{self.casus.peildatum.isoformat()}",
                )
            )


def bind_case(
    regelset: CompiledRegelset, casus: Casus, doc: LocatedDocument
) -> list[RequestInputs]:
    """Typed inputs for every request of `casus`, or VerordeningError with all problems."""
    return _Binder(regelset, casus, doc).bind()


def check_facts(regelset: CompiledRegelset, doc: LocatedDocument) -> list[Problem]:
    """The vocabulary problems (unknown facts, wrong values) of the facts in a case's raw
    data, for a case that did not match the Casus model: so they come in the same run."""
    binder = _Binder(regelset, None, doc)  # type: ignore[arg-type]  # facts() needs no Casus
    data = doc.data if isinstance(doc.data, dict) else {}
    household = data.get("huishouden")
    if isinstance(household, dict):
        members = household.get("leden")
        for i, lid in enumerate(members if isinstance(members, list) else []):
            if isinstance(lid, dict) and isinstance(lid.get("feiten"), dict):
                binder.facts("persoon", lid["feiten"], ("huishouden", "leden", i, "feiten"))
        if isinstance(household.get("feiten"), dict):
            binder.facts("huishouden", household["feiten"], ("huishouden", "feiten"))
    requests = data.get("aanvragen")
    for j, aanvraag in enumerate(requests if isinstance(requests, list) else []):
        if isinstance(aanvraag, dict) and isinstance(aanvraag.get("feiten"), dict):
            binder.facts("aanvraag", aanvraag["feiten"], ("aanvragen", j, "feiten"))
    return binder.problems
