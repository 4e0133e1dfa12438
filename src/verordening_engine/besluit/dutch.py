"""Dutch formatting of values for people: dates, amounts, percentages, yes/no facts in words.

Babel with an explicit locale, so the text never depends on the machine's locale settings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = Locale.parse("nl_NL")  # parsed once; babel is the costly part of an explanation
NBSP = "\xa0"

UNIT_WORDS = {
    "maanden": ("maand", "maanden"),
    "jaren": ("jaar", "jaar"),
    "weken": ("week", "weken"),
    "dagen": ("dag", "dagen"),
    "werkdagen": ("werkdag", "werkdagen"),
    "kilometer": ("km", "km"),
}


@lru_cache(maxsize=8192)
def datum(day: dt.date) -> str:
    """20 mei 2026"""
    return format_date(day, "d MMMM y", locale=LOCALE)


@lru_cache(maxsize=8192)
def bedrag(cents: int) -> str:
    """€ 16.000,00 (cents in, a plain space after the euro sign)."""
    text = format_currency(Decimal(cents).scaleb(-2), "EUR", locale=LOCALE)
    return text.replace(NBSP, " ")


def bedrag_text(amount: str) -> str:
    """'16000.00' (the JSON form of an amount) -> € 16.000,00"""
    return bedrag(int(Decimal(amount).scaleb(2)))


@lru_cache(maxsize=8192)
def procent(value: int) -> str:
    """110%"""
    return format_percent(Decimal(value).scaleb(-2), locale=LOCALE).replace(NBSP, " ")


@lru_cache(maxsize=8192)
def getal(value: int, eenheid: str | None = None) -> str:
    """16.000; with a unit: 36 maanden, 110%, 12 km."""
    if eenheid == "procent":
        return procent(value)
    text = format_decimal(value, locale=LOCALE).replace(NBSP, " ")
    if eenheid in UNIT_WORDS:
        one, more = UNIT_WORDS[eenheid]
        return f"{text} {one if value == 1 else more}"
    return text


def woorden(code: str) -> str:
    """A coded value as words: zorg_in_natura -> zorg in natura."""
    return code.replace("_", " ")


def hoofdletter(text: str) -> str:
    return text[:1].upper() + text[1:]


def kleine_letter(naam: str) -> str:
    """'Huishoudelijke ondersteuning' inside a sentence; acronyms ('Wlz') stay as they are."""
    if len(naam) > 1 and naam[1].isupper():
        return naam
    return naam[:1].lower() + naam[1:]


def opsomming(items: list[str]) -> str:
    """'3.7', '3.7 en 3.8', '2.1, 2.2 en 2.3': a Dutch enumeration."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"
