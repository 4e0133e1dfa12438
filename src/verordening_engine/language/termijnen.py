"""Statutory terms: erkende feestdagen, the Algemene termijnenwet and working days.

Which days count is the law's (Algemene termijnenwet art. 3), so the rules pass the list
of feestdagen they apply; this module only knows how to find each named day in a year.
Easter comes from dateutil (Western computus); the other days follow from it or are fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache

from dateutil.easter import easter


def _koningsdag(year: int) -> dt.date:
    """The day the King's birthday is celebrated: 27 April, 26 April when that is a Sunday.

    Before 2014 the Queen's birthday: 30 April, 29 April when that was a Sunday.
    """
    day = dt.date(year, 4, 27) if year >= 2014 else dt.date(year, 4, 30)
    return day - dt.timedelta(days=1) if day.weekday() == 6 else day


def _after_easter(days: int) -> Callable[[int], dt.date]:
    return lambda year: easter(year) + dt.timedelta(days=days)


def _fixed(month: int, day: int) -> Callable[[int], dt.date]:
    return lambda year: dt.date(year, month, day)


# Each name a rule may use, and how to find that day in a given year.
FEESTDAGEN: dict[str, Callable[[int], dt.date]] = {
    "nieuwjaarsdag": _fixed(1, 1),
    "goede_vrijdag": _after_easter(-2),
    "eerste_paasdag": _after_easter(0),
    "tweede_paasdag": _after_easter(1),
    "koningsdag": _koningsdag,
    "bevrijdingsdag": _fixed(5, 5),
    "hemelvaartsdag": _after_easter(39),
    "eerste_pinksterdag": _after_easter(49),
    "tweede_pinksterdag": _after_easter(50),
    "eerste_kerstdag": _fixed(12, 25),
    "tweede_kerstdag": _fixed(12, 26),
}


def feestdagen_in(year: int, names: Iterable[str]) -> frozenset[dt.date]:
    """The dates in `year` of the named feestdagen."""
    return _feestdagen(year, tuple(names))


@lru_cache(maxsize=4096)
def _feestdagen(year: int, names: tuple[str, ...]) -> frozenset[dt.date]:
    return frozenset(FEESTDAGEN[name](year) for name in names)


def is_rustdag(day: dt.date, names: Iterable[str]) -> bool:
    """A Saturday, a Sunday or one of the named feestdagen."""
    return day.weekday() >= 5 or day in feestdagen_in(day.year, names)


def termijn_einde(day: dt.date, names: Iterable[str]) -> dt.date:
    """Algemene termijnenwet art. 1 lid 1: a term ending on a rustdag runs to the next other day."""
    names = tuple(names)
    while is_rustdag(day, names):
        day += dt.timedelta(days=1)
    return day


def plus_werkdagen(day: dt.date, count: int, names: Iterable[str]) -> dt.date:
    """`count` working days after `day`: Saturdays, Sundays and the named feestdagen skipped."""
    if not 0 <= count <= 10_000:
        raise OverflowError("working days out of range")
    names = tuple(names)
    while count > 0:
        day += dt.timedelta(days=1)
        if not is_rustdag(day, names):
            count -= 1
    return day
