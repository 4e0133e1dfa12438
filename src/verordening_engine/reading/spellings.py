"""The only spellings of dates and amounts that files and callers may use.

YAML 1.2 (and JSON) give dates and amounts as text; these checks accept exactly what the
schemas document, so a value can never be read two ways: a date is `YYYY-MM-DD` (a bare
number is not a date), an amount is `123.45` in ASCII digits (no `1e3`, no `1_700`, no spaces,
no other scripts' digits).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_AMOUNT = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,2})?", re.ASCII)
_DECIMALS = re.compile(r"-?[0-9]{1,12}\.[0-9]{3,40}", re.ASCII)


def parse_iso_date(value: Any) -> dt.date:
    """A date from a `date` or from text `YYYY-MM-DD`; ValueError for anything else."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date YYYY-MM-DD, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a calendar date") from None
    raise ValueError("expected a date YYYY-MM-DD")


def is_iso_date(value: Any) -> bool:
    try:
        parse_iso_date(value)
    except ValueError:
        return False
    return True


def check_amount_spelling(text: str) -> str:
    """`text` if it is spelled like `123.45`; ValueError otherwise."""
    if not _AMOUNT.fullmatch(text):
        if _DECIMALS.fullmatch(text):
            raise ValueError(f"'{text[:40]}' must have at most two decimals")
        raise ValueError(f"'{text[:40]}' is not an amount in euros (write e.g. '21.80')")
    return text


IsoDate = Annotated[dt.date, BeforeValidator(parse_iso_date)]
"""A pydantic date field that accepts only `YYYY-MM-DD` text or a `date`."""
