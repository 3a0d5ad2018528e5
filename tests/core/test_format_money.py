"""Money reads the same everywhere: two decimals from a dollar up, two significant digits below it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from playground.core.format import usd


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12.5"), "$12.50"),
        (Decimal("20"), "$20.00"),
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("0.0049"), "$0.0049"),
        (Decimal("0.004912345"), "$0.0049"),  # significant digits kept, not a row of them
        (Decimal("0.5"), "$0.50"),
        (Decimal("0.12"), "$0.12"),
        (Decimal("0.000012"), "$0.000012"),
        (Decimal(0), "$0.00"),
        (0.1, "$0.10"),  # a float from a server
        (3, "$3.00"),
    ],
)
def test_amounts_read_as_money(value: Decimal | float, shown: str) -> None:
    assert usd(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.125"), "$0.13"),  # half up, as a person rounds cents
        (Decimal("2.005"), "$2.01"),
        (Decimal("0.00495"), "$0.005"),  # no trailing zero past the cents
        (Decimal("0.999"), "$1.00"),  # rounding up to a dollar reads as dollars
        (Decimal("0.0999"), "$0.10"),
    ],
)
def test_rounding(value: Decimal, shown: str) -> None:
    assert usd(value) == shown


def test_negative_none_and_nonsense() -> None:
    assert usd(Decimal("-1.5")) == "-$1.50"  # a refund or a credit
    assert usd(Decimal("-0.0049")) == "-$0.0049"
    assert usd(None) == "-"
    assert usd(Decimal("NaN")) == "-" and usd(Decimal("Infinity")) == "-"


def test_extreme_amounts_stay_short() -> None:
    assert usd(Decimal("999999999.99")) == "$999,999,999.99"
    assert usd(Decimal("1e300")) == "$1.00e+300"  # a hostile server's figure stays one short word
    assert usd(Decimal("1e-12")) == "<$0.000001"  # not "$0.00", which would say it was free
