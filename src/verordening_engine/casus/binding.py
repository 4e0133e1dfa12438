"""Bind a validated case to a compiled regelset: typed input values per request.

The case model only knows the generic shape; here each fact is checked against the
regelset's vocabulary (name, type, allowed values) and every input a request needs is
present, with all problems located in the case file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..casus.model import Casus, Lid, Rol
from ..errors import Problem, VerordeningError
from ..language.expressions import Ref, Value, parse_euro
from ..reading.yaml_loading import Loc, LocatedDocument
from ..regels.compiled import CompiledRegelset
from ..regels.model import Feit, Voorziening

# dates the rules can compute with safely (ages, terms of years ahead)
EARLIEST = dt.date(1880, 1, 1)
LATEST = dt.date(2200, 12, 31)


@dataclass(frozen=True)
class RequestInputs:
    """Everything a request's rules may read, except derived facts."""

    aanvraag: str
    persoon: str
    voorziening: str
    values: dict[Ref, Value]


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
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError("expected a date YYYY-MM-DD") from None
        raise ValueError("expected a date YYYY-MM-DD")
    if not isinstance(value, str):
        raise ValueError("expected text")
    if feit.waarden is not None and value not in feit.waarden:
        raise ValueError(f"'{value}' is not one of: {', '.join(feit.waarden)}")
    return value


class _Refs(dict[str, Ref]):
    def __init__(self, space: str) -> None:
        super().__init__()
        self.space = space

    def __missing__(self, name: str) -> Ref:
        ref = self[name] = Ref(self.space, name)
        return ref


class _Prepared:
    """What binding needs of a regelset that no case changes, computed once per version."""

    def __init__(self, rs: CompiledRegelset) -> None:
        self.rs = rs
        self.defaults: dict[str, dict[str, Value]] = {}
        self.kinds = {
            space: {name: feit.type.value for name, feit in vocab.items()}
            for space, vocab in rs.inputs.items()
        }
        for space, vocab in rs.inputs.items():
            self.defaults[space] = {
                name: _convert(feit, feit.standaard)
                for name, feit in vocab.items()
                if feit.standaard is not None
            }
        spaces = ("persoon", "huishouden", "aanvraag", "param", "voorziening")
        self.required = {
            v: frozenset(ref for r in rules for ref in r.reads if ref.space in spaces)
            for v, rules in rs.rules_for.items()
        }
        self._dated: dict[tuple[str, dt.date], dict[Ref, Value]] = {}
        self._refs: dict[str, _Refs] = {}

    def refs(self, space: str) -> _Refs:
        """`Ref(space, name)` by name, made once (a case has a hundred of them)."""
        found = self._refs.get(space)
        if found is None:
            found = self._refs[space] = _Refs(space)
        return found

    def dated(self, voorziening: Voorziening, peildatum: dt.date) -> dict[Ref, Value]:
        """Parameters and the voorziening's own values on a peildatum (cached, bounded)."""
        key = (voorziening.id, peildatum)
        found = self._dated.get(key)
        if found is not None:
            return found
        values: dict[Ref, Value] = {Ref("peildatum", "peildatum"): peildatum}
        for name in self.rs.parameters:
            dated = self.rs.param_at(name, peildatum)
            if dated is not None:
                values[Ref("param", name)] = dated.value
        values[Ref("voorziening", "id")] = voorziening.id
        values[Ref("voorziening", "naam")] = voorziening.naam
        values[Ref("voorziening", "wet")] = voorziening.wet
        values[Ref("voorziening", "soort")] = voorziening.soort.value
        values[Ref("voorziening", "kenmerken")] = tuple(voorziening.kenmerken)
        values[Ref("voorziening", "bijdrage_per")] = voorziening.bijdrage_per or ""
        for attr, pname in voorziening.parameters.items():
            pvalue = self.rs.param_at(pname, peildatum)
            if pvalue is not None:
                values[Ref("voorziening", attr)] = pvalue.value
        if len(self._dated) >= 4096:
            self._dated.clear()
        self._dated[key] = values
        return values


_PREPARED: dict[str, _Prepared] = {}


def _prepared(rs: CompiledRegelset) -> _Prepared:
    found = _PREPARED.get(rs.sha256)
    if found is None or found.rs is not rs:
        if len(_PREPARED) >= 8:  # as many as api.MAX_VERSIONS: the same versions
            _PREPARED.clear()
        found = _PREPARED[rs.sha256] = _Prepared(rs)
    return found


class _Binder:
    def __init__(self, regelset: CompiledRegelset, casus: Casus, doc: LocatedDocument) -> None:
        self.rs = regelset
        self.casus = casus
        self.doc = doc
        self.problems: list[Problem] = []
        self.prepared = _prepared(regelset)

    def facts(self, space: str, given: dict[str, Any], loc: Loc) -> dict[str, Value]:
        vocab = self.rs.inputs[space]
        kinds = self.prepared.kinds[space]
        out: dict[str, Value] = {}
        for name, value in given.items():
            kind = kinds.get(name)
            # the commonest shape (a boolean), exactly as _convert accepts it, without the
            # call; numbers, amounts and dates always go through _convert (ranges, spelling)
            if kind == "waarheid" and value.__class__ is bool:
                out[name] = value
                continue
            feit = vocab.get(name)
            if feit is None:
                known = ", ".join(sorted(vocab)) or "none"
                self.problems.append(
                    self.doc.problem((*loc, name), f"unknown fact for {space} (known: {known})")
                )
                continue
            try:
                out[name] = _convert(feit, value, kind)
            except ValueError as exc:
                self.problems.append(self.doc.problem((*loc, name), str(exc)))
        for name, value in self.prepared.defaults[space].items():
            if name not in out and name not in given:
                out[name] = value
        return out

    def person(self, lid: Lid, index: int) -> dict[str, Value]:
        values = self.facts("persoon", dict(lid.feiten), ("huishouden", "leden", index, "feiten"))
        values["geboortedatum"] = lid.geboortedatum
        values["rol"] = lid.rol.value
        return values

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
        persons = {lid.id: self.person(lid, i) for i, lid in enumerate(leden)}
        household = self.facts(
            "huishouden", dict(casus.huishouden.feiten), ("huishouden", "feiten")
        )
        household["aantal_leden"] = len(leden)
        household["aantal_kinderen"] = sum(1 for lid in leden if lid.rol == Rol.kind)
        person_refs: dict[tuple[str, str], dict[Ref, Value]] = {}

        def refs(space: str, member: str) -> dict[Ref, Value]:
            found = person_refs.get((space, member))
            if found is None:
                names = self.prepared.refs(space)
                found = {names[name]: v for name, v in persons[member].items()}
                person_refs[(space, member)] = found
            return found

        requests: list[RequestInputs] = []
        seen: set[str] = set()
        for i, aanvraag in enumerate(casus.aanvragen):
            loc: Loc = ("aanvragen", i)
            if aanvraag.id in seen:
                self.problems.append(
                    self.doc.problem((*loc, "id"), f"request id '{aanvraag.id}' used twice")
                )
            seen.add(aanvraag.id)
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
                        f"{self.rs.meta.versie} (known: {', '.join(sorted(self.rs.catalogue))})",
                    )
                )
                continue
            # peildatum, parameters and the voorziening's values, then the case's facts
            values = dict(self.prepared.dated(voorziening, casus.peildatum))
            values.update(refs("persoon", aanvraag.persoon))
            partner = self.partner_of(leden[ids[aanvraag.persoon]])
            if partner is not None:
                values.update(refs("partner", partner))
            hh = dict(household, heeft_partner=partner is not None)
            for name, value in hh.items():
                values[Ref("huishouden", name)] = value
            names = self.prepared.refs("aanvraag")
            for name, value in self.facts(
                "aanvraag", dict(aanvraag.feiten), (*loc, "feiten")
            ).items():
                values[names[name]] = value
            self.check_complete(aanvraag.voorziening, values, loc)
            requests.append(RequestInputs(aanvraag.id, aanvraag.persoon, voorziening.id, values))
        if self.problems:
            raise VerordeningError(self.problems)
        return requests

    def partner_of(self, lid: Lid) -> str | None:
        other = {Rol.aanvrager: Rol.partner, Rol.partner: Rol.aanvrager}.get(lid.rol)
        for member in self.casus.huishouden.leden:
            if other is not None and member.rol == other:
                return member.id
        return None

    def check_complete(self, voorziening: str, values: dict[Ref, Value], loc: Loc) -> None:
        missing = [ref for ref in self.prepared.required[voorziening] if ref not in values]
        for ref in sorted(missing):
            if ref.space in ("param", "voorziening"):
                msg = (
                    f"parameter for '{ref}' has no value on peildatum "
                    f"{self.casus.peildatum.isoformat()}"
                )
            else:
                msg = f"the case does not give '{ref}', which the rules for '{voorziening}' need"
            self.problems.append(self.doc.problem(loc, msg))


def bind_case(
    regelset: CompiledRegelset, casus: Casus, doc: LocatedDocument
) -> list[RequestInputs]:
    """Typed inputs for every request of `casus`, or VerordeningError with all problems."""
    return _Binder(regelset, casus, doc).bind()
