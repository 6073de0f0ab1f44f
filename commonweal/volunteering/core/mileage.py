"""HMRC approved mileage allowance payments for volunteers' own cars, effective-dated.

A volunteer may be paid up to the approved rate without it counting as earnings: 45p a mile for the
first 10,000 business miles in a tax year and 25p a mile after (cars and vans, from 6 April 2011; 40p
before, from 6 April 2002). Source: HMRC, "Travel — mileage and fuel rates and allowances" (gov.uk),
and EIM31240. The tax year starts on 6 April.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class MileageRate:
    """The rates in force from one day."""

    effective_from: datetime.date
    first_pence: Decimal
    later_pence: Decimal
    threshold_miles: Decimal


RATES: tuple[MileageRate, ...] = (
    MileageRate(datetime.date(2002, 4, 6), Decimal(40), Decimal(25), Decimal(10000)),
    MileageRate(datetime.date(2011, 4, 6), Decimal(45), Decimal(25), Decimal(10000)),
)


class NoRateError(ValueError):
    """No approved rate was in force on the day asked."""


def rate_on(day: datetime.date, rates: tuple[MileageRate, ...] = RATES) -> MileageRate:
    """Return the rate in force on a day (the latest that started on or before it)."""
    in_force = [rate for rate in rates if rate.effective_from <= day]
    if not in_force:
        raise NoRateError(f"No approved mileage rate was in force on {day:%-d %B %Y}.")
    return max(in_force, key=lambda rate: rate.effective_from)


def tax_year_start(day: datetime.date) -> datetime.date:
    """Return the 6 April that starts the tax year holding a day."""
    start = datetime.date(day.year, 4, 6)
    return start if day >= start else datetime.date(day.year - 1, 4, 6)


def mileage_amount(
    miles: Decimal,
    miles_already_this_tax_year: Decimal,
    day: datetime.date,
    rates: tuple[MileageRate, ...] = RATES,
) -> Decimal:
    """Return the approved pounds for `miles` on `day`, given the miles claimed earlier in the tax year."""
    if miles <= 0:
        raise ValueError("Miles must be more than nothing.")
    rate = rate_on(day, rates)
    at_first = max(Decimal(0), min(miles, rate.threshold_miles - miles_already_this_tax_year))
    at_later = miles - at_first
    pence = at_first * rate.first_pence + at_later * rate.later_pence
    return (pence / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
