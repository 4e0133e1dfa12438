"""The Dutch words for every name a rule reads: labels and clauses from the vocabulary.

A yes/no fact reads as a clause that fits after 'dat', 'als' or 'omdat' ('mantelzorg de
beperking oplost'); other facts as '<label> <value> is'. Values are formatted by `dutch`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..language.expressions import Ref, T, Value, format_euro
from ..regels.compiled import BUILTIN_VOORZIENING, EURO_UNITS, CompiledRegelset
from . import dutch as nl

# names every case has without a vocabulary entry: (label, waar, onwaar)
BUILTIN_WORDS: dict[tuple[str, str], tuple[str, str | None, str | None]] = {
    ("persoon", "geboortedatum"): ("de geboortedatum", None, None),
    ("persoon", "rol"): ("de rol in het huishouden", None, None),
    ("huishouden", "heeft_partner"): (
        "heeft een partner",
        "er een partner is",
        "er geen partner is",
    ),
    ("huishouden", "aantal_leden"): ("het aantal leden van het huishouden", None, None),
    ("huishouden", "aantal_kinderen"): ("het aantal kinderen in het huishouden", None, None),
    ("voorziening", "id"): ("de gevraagde voorziening", None, None),
    ("voorziening", "naam"): ("de naam van de voorziening", None, None),
    ("voorziening", "wet"): ("de wet van de voorziening", None, None),
    ("voorziening", "soort"): ("de soort voorziening", None, None),
    ("voorziening", "kenmerken"): ("de kenmerken van de voorziening", None, None),
    ("voorziening", "bijdrage_per"): ("de periode van de bijdrage", None, None),
    ("peildatum", "peildatum"): ("de peildatum", None, None),
}
CASE_SPACES = ("persoon", "partner", "huishouden", "aanvraag", "afgeleid")


@dataclass(frozen=True)
class Words:
    """How one name reads in Dutch: its label, its unit, and for yes/no facts a clause each."""

    label: str
    type: T
    eenheid: str | None = None
    waar: str | None = None
    onwaar: str | None = None
    case_fact: bool = True  # False for parameters, voorziening attributes and the peildatum

    def value(self, value: Value) -> str:
        """The value alone, in Dutch: ja/nee, € 16.000,00, 20 mei 2026, 110%."""
        return dutch(self.type, value, self.eenheid)

    def clause(self, value: Value, partner: bool = False) -> str:
        """A clause that reads after 'dat', 'als' or 'omdat'."""
        if isinstance(value, bool) and self.waar and self.onwaar:
            return ("voor de partner " if partner else "") + (self.waar if value else self.onwaar)
        label = f"{self.label} van de partner" if partner else self.label
        text = self.value(value)
        if isinstance(value, str) and self.type is T.tekst:
            text = f"'{text}'"  # a coded value, quoted so the clause still reads
        return f"{label} {text} is"

    def statement(self, value: Value) -> str:
        """The fact on its own line: a clause for yes/no, else '<label>: <value>'."""
        if isinstance(value, bool) and self.waar and self.onwaar:
            return self.waar if value else self.onwaar
        return f"{self.label.rstrip('.')}: {self.value(value)}"


def value_type(rs: CompiledRegelset, ref: Ref) -> T:
    if ref.space == "peildatum":
        return T.datum
    if ref.space == "afgeleid":
        return T(rs.derived[ref.name].type.value)
    if ref.space == "param":
        return T.bedrag if rs.parameter_units[ref.name] in EURO_UNITS else T.getal
    if ref.space == "voorziening":
        return BUILTIN_VOORZIENING.get(ref.name, T.bedrag)
    found = rs.input_type(ref)
    assert found is not None
    return found


_WORDS: dict[tuple[str, Ref], Words] = {}


def words(rs: CompiledRegelset, ref: Ref) -> Words:
    """The Dutch words for a name a rule reads (cached per regelset)."""
    key = (rs.sha256, ref)
    found = _WORDS.get(key)
    if found is None:
        if len(_WORDS) > 20_000:
            _WORDS.clear()
        found = _WORDS[key] = _words(rs, ref)
    return found


def _param_label(rs: CompiledRegelset, name: str) -> str:
    for _, parameters in rs.source.parameters:
        if name in parameters.parameters:
            return parameters.parameters[name].omschrijving.strip()
    return nl.woorden(name)


def _words(rs: CompiledRegelset, ref: Ref) -> Words:
    type_ = value_type(rs, ref)
    space = "persoon" if ref.space == "partner" else ref.space
    if ref.space == "param":
        unit = rs.parameter_units[ref.name]
        return Words(_param_label(rs, ref.name), type_, unit, case_fact=False)
    if (space, ref.name) in BUILTIN_WORDS:
        label, waar, onwaar = BUILTIN_WORDS[(space, ref.name)]
        return Words(label, type_, None, waar, onwaar, case_fact=space in CASE_SPACES)
    if ref.space == "voorziening":
        return Words(nl.woorden(ref.name), type_, None, case_fact=False)
    feit = rs.derived.get(ref.name) if ref.space == "afgeleid" else rs.inputs[space].get(ref.name)
    if feit is None or feit.label is None:
        return Words(nl.woorden(ref.name), type_)
    return Words(feit.label, type_, feit.eenheid, feit.waar, feit.onwaar)


def dutch(type_: T, value: Value, eenheid: str | None = None) -> str:
    """A value as a resident reads it: € 21,80; 1 april 2026; ja/nee; 110%."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if type_ is T.bedrag and isinstance(value, int):
        return nl.bedrag(value)
    if isinstance(value, dt.date):
        return nl.datum(value)
    if isinstance(value, tuple | frozenset):
        return ", ".join(nl.woorden(str(v)) for v in value)
    if isinstance(value, str):
        return nl.woorden(value)  # coded values (zorg_in_natura) read as words
    return nl.getal(value, eenheid)


def as_json(type_: T, value: Value) -> bool | int | str:
    if type_ is T.bedrag and isinstance(value, int) and not isinstance(value, bool):
        return format_euro(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return value
