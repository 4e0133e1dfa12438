"""Date arithmetic and money in cents: the calendar and euro rules the language relies on."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation

from ..reading.spellings import check_amount_spelling

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = d.day
    if day > 28:  # only then can the month be too short (calendar.monthrange is slow)
        last = 29 if month == 1 and calendar.isleap(year) else _DAYS[month]
        day = min(day, last)
    return dt.date(year, month + 1, day)


def add_working_days(d: dt.date, days: int) -> dt.date:
    """Shift by working days (Monday to Friday; public holidays are not modelled)."""
    if not 0 <= days <= 10_000:
        raise OverflowError("working days out of range")
    current = d
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end (negative when end is earlier)."""
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def round_half_up_percent(cents: int, pct: int) -> int:
    numerator = cents * pct
    q, r = divmod(abs(numerator), 100)
    if r * 2 >= 100:
        q += 1
    return q if numerator >= 0 else -q


def parse_euro(text: str) -> int:
    """'21.80' -> 2180 cents; at most two decimals, never a float."""
    if not isinstance(text, str):
        raise ValueError("expected an amount as text, e.g. '21.80'")
    check_amount_spelling(text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount in euros (write e.g. '21.80')") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"'{text}' must have at most two decimals")
    if abs(amount) > Decimal("1000000000"):
        raise ValueError(f"'{text}' is out of range")
    return int(amount * 100)


def format_euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
