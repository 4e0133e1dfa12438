"""The pensioengerechtigde (AOW-)leeftijd by cohort (Algemene Ouderdomswet art. 7a).

A person reaches the pensioengerechtigde leeftijd that applies in the calendar year in which
they reach it (art. 7a lid 1, last sentence): the age is a function of the birth date, not
of the value in force on a later peildatum. The table is the law's; each row says where it
comes from and whether it was read in the consolidated text.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from .values import add_months


class Leeftijd(NamedTuple):
    maanden: int
    bron: str


BEFORE_2013 = Leeftijd(65 * 12, "AOW art. 7a lid 1 onder a (nagelezen, tekst 2026-07-01)")

# Calendar year -> the pensioengerechtigde leeftijd in that year, in months.
TABEL: dict[int, Leeftijd] = {
    2013: Leeftijd(65 * 12 + 1, "AOW art. 7a lid 1 onder b (nagelezen)"),
    2014: Leeftijd(65 * 12 + 2, "AOW art. 7a lid 1 onder c (nagelezen)"),
    2015: Leeftijd(65 * 12 + 3, "AOW art. 7a lid 1 onder d (nagelezen)"),
    2016: Leeftijd(65 * 12 + 6, "AOW art. 7a lid 1 onder e (nagelezen)"),
    2017: Leeftijd(65 * 12 + 9, "AOW art. 7a lid 1 onder f (nagelezen)"),
    2018: Leeftijd(66 * 12, "AOW art. 7a lid 1 onder g (nagelezen)"),
    2019: Leeftijd(66 * 12 + 4, "AOW art. 7a lid 1 onder h (nagelezen)"),
    2020: Leeftijd(66 * 12 + 4, "AOW art. 7a lid 1 onder i (nagelezen)"),
    2021: Leeftijd(66 * 12 + 4, "AOW art. 7a lid 1 onder j (nagelezen)"),
    2022: Leeftijd(66 * 12 + 7, "AOW art. 7a lid 1 onder k (nagelezen)"),
    2023: Leeftijd(66 * 12 + 10, "AOW art. 7a lid 1 onder l (nagelezen)"),
    2024: Leeftijd(67 * 12, "AOW art. 7a lid 1 onder m (nagelezen)"),
    2025: Leeftijd(67 * 12, "AOW art. 7a lid 1 onder n (nagelezen)"),
    # Lid 1 onder o and lid 2: from 2026 set yearly, five years ahead, in the Staatscourant.
    2026: Leeftijd(
        67 * 12, "AOW art. 7a lid 2; vastgesteld op 67 jaar (Staatscourant niet nagelezen)"
    ),
    2027: Leeftijd(
        67 * 12, "AOW art. 7a lid 2; vastgesteld op 67 jaar (Staatscourant niet nagelezen)"
    ),
    2028: Leeftijd(
        67 * 12 + 3,
        "AOW art. 7a lid 2; 67 jaar en 3 maanden (domain.md; Staatscourant niet nagelezen)",
    ),
    2029: Leeftijd(
        67 * 12 + 3, "AOW art. 7a lid 2; 67 jaar en 3 maanden (nieuwsberichten; niet nagelezen)"
    ),
    2030: Leeftijd(
        67 * 12 + 3, "AOW art. 7a lid 2; 67 jaar en 3 maanden (nieuwsberichten; niet nagelezen)"
    ),
}
LAATSTE_JAAR = max(TABEL)


def leeftijd_in(year: int) -> Leeftijd:
    """The pensioengerechtigde leeftijd in `year` (the last known one after the table).

    After the table the age cannot be lower (art. 7a lid 2: an increase V is never negative),
    so the last known age gives the earliest possible date; decisions with a peildatum up to
    the end of LAATSTE_JAAR are exact.
    """
    if year < 2013:
        return BEFORE_2013
    return TABEL.get(year, TABEL[LAATSTE_JAAR])


def aow_datum(geboortedatum: dt.date) -> dt.date:
    """The day a person born on `geboortedatum` reaches the pensioengerechtigde leeftijd.

    The first calendar year Y in which birth date + the age of Y falls in or before Y: ages
    never decrease, so that is the year in which the person reaches the age of that year.
    """
    year = max(geboortedatum.year + BEFORE_2013.maanden // 12, 2012)
    while True:
        day = add_months(geboortedatum, leeftijd_in(year).maanden)
        if day.year <= year:
            return day
        year += 1
