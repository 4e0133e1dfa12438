"""Cross-file checks of declarations: metadata, vocabulary, parameters and the catalogue.

These run before any rule is compiled, so that rule compilation can rely on every
declared fact, parameter and voorziening being well-formed.
"""

from __future__ import annotations

import datetime as dt

from ..language.expressions import parse_euro
from ..reading.yaml_loading import Loc
from .compiled import (
    BUILTIN_HUISHOUDEN,
    BUILTIN_PERSOON,
    BUILTIN_VOORZIENING,
    EURO_UNITS,
    ParamValue,
)
from .declarations import Declarations
from .model import Feit


def check_meta(c: Declarations) -> None:
    meta, f = c.meta, "regelset.yaml"
    if meta.geldig_tot is not None and meta.geldig_tot <= meta.geldig_vanaf:
        c.problem(f, ("geldig_tot",), "geldig_tot must be after geldig_vanaf")
    if meta.versie == meta.vorige_versie:
        c.problem(f, ("vorige_versie",), "a version cannot be its own previous version")


def check_vocabulary(c: Declarations) -> None:
    for space, facts in c.inputs.items():
        builtin = (
            BUILTIN_PERSOON
            if space == "persoon"
            else (BUILTIN_HUISHOUDEN if space == "huishouden" else {})
        )
        for name, feit in facts.items():
            f, loc = c.where("feit", f"{space}.{name}")
            if name in builtin:
                c.problem(f, loc, f"'{space}.{name}' is built in and cannot be declared")
            _check_feit(c, f, loc, feit)
    for name, feit in c.derived.items():
        f, loc = c.where("feit", name)
        if name in ("peildatum", "waar", "onwaar"):
            c.problem(f, loc, f"'{name}' is a reserved name")
        if feit.standaard is not None:
            c.problem(f, (*loc, "standaard"), "a derived fact has no default: a rule defines it")
        _check_feit(c, f, loc, feit)


def _check_feit(c: Declarations, f: str, loc: Loc, feit: Feit) -> None:
    if feit.waarden is not None and feit.type.value != "tekst":
        c.problem(f, (*loc, "waarden"), "'waarden' is only for facts of type tekst")
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
        c.problem(f, (*loc, "standaard"), f"default does not fit type {feit.type.value}")
    elif feit.waarden is not None and feit.standaard not in feit.waarden:
        c.problem(f, (*loc, "standaard"), "default is not one of 'waarden'")


def check_parameters(c: Declarations) -> None:
    for name, param in c.param_defs.items():
        f, _ = c.where("param", name)
        c.units[name] = param.eenheid.value
        values: list[ParamValue] = []
        previous: dt.date | None = None
        for i, item in enumerate(param.waarden):
            loc: Loc = ("parameters", name, "waarden", i)
            if previous is not None and item.vanaf <= previous:
                c.problem(f, (*loc, "vanaf"), "values must be in date order, each date once")
            previous = item.vanaf
            if param.eenheid.value in EURO_UNITS:
                if not isinstance(item.waarde, str):
                    c.problem(
                        f,
                        (*loc, "waarde"),
                        "write an amount as text with two "
                        "decimals, e.g. '21.80' (never a bare number)",
                    )
                    continue
                try:
                    value = parse_euro(item.waarde)
                except ValueError as exc:
                    c.problem(f, (*loc, "waarde"), str(exc))
                    continue
            else:
                if not isinstance(item.waarde, int) or isinstance(item.waarde, bool):
                    c.problem(
                        f,
                        (*loc, "waarde"),
                        f"a value in {param.eenheid.value} must be a whole number",
                    )
                    continue
                value = item.waarde
            values.append(ParamValue(item.vanaf, value, item.status, item.bron))
        c.params[name] = values


def check_catalogue(c: Declarations) -> None:
    for v in c.catalogue.values():
        f, id_loc = c.where("voorziening", v.id)
        loc: Loc = id_loc[:-1]
        if v.id in c.meta.wetten:
            c.problem(
                f,
                (*loc, "id"),
                f"'{v.id}' is also the key of a law in regelset.yaml: referrals would be ambiguous",
            )
        if v.wet not in c.meta.wetten:
            c.problem(f, (*loc, "wet"), f"unknown law '{v.wet}' (not in regelset.yaml wetten)")
        for attr, pname in v.parameters.items():
            if attr in BUILTIN_VOORZIENING:
                c.problem(f, (*loc, "parameters", attr), f"'{attr}' is built in")
            if pname not in c.param_defs:
                c.problem(f, (*loc, "parameters", attr), f"unknown parameter '{pname}'")
            elif c.param_defs[pname].eenheid.value not in EURO_UNITS:
                c.problem(
                    f,
                    (*loc, "parameters", attr),
                    f"parameter '{pname}' is not an amount in euros",
                )


def _is_euro(text: str) -> bool:
    try:
        parse_euro(text)
    except ValueError:
        return False
    return True
