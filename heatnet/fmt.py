"""Numbers for people: the one formatter of every number that a command prints.

Files (CSV, JSON) keep raw numbers in the units of their column names; this module is only
for text that a person reads (console summaries, progress lines, ``compare`` tables and diffs).

The unit follows the key's suffix (docs/format.md names every quantity with its unit):

======================  =============================  ==================================
suffix                  shown as                       example
======================  =============================  ==================================
``_cny``                M CNY, with 亿 (1e8) in         ``4,191.0 M CNY (41.91 亿)``
                        brackets from 1 M CNY on
``_share``, ``_gap``    % (a change in pp)             ``41.9 %``, ``+3.1 pp``
``_mwh``                GWh                            ``1,234.6 GWh``
``_t``                  Mt from 1e6 t, kt from 1e3 t,  ``1.235 Mt``, ``123.5 kt``, ``60 t``
                        else t
``_mw``                 MW                             ``80.0 MW``
``_s``                  s                              ``12.3 s``
``_per_`` (a rate),     the number as in the file      ``100``, ``0.35``, ``8,760``
anything else
======================  =============================  ==================================

Every number has thousands separators and never an exponent. Values under 1 (in the shown
unit) keep three significant digits (``0.0123 GWh``), down to 6 decimals, so that a small
unserved heat or a small cost change does not print as zero. None and NaN print as ``n/a``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

MISSING = "n/a"
"""How a missing value (None, NaN) is shown."""
SIGNIFICANT = 3
"""Significant digits kept for values under 1 in the shown unit."""
MAX_DECIMALS = 6
"""No value is shown with more decimals than this (``plain`` numbers: 9)."""
ARROW = "→"


class Unit(NamedTuple):
    """How a quantity is shown: value / ``divisor`` with ``digits`` decimals, then ``label``."""

    divisor: float
    label: str
    digits: int


MONEY = Unit(1e6, "M CNY", 1)
YI = Unit(1e8, "亿", 2)
PERCENT = Unit(0.01, "%", 1)
GAP = Unit(0.01, "%", 2)
ENERGY = Unit(1e3, "GWh", 1)
POWER = Unit(1.0, "MW", 1)
SECONDS = Unit(1.0, "s", 2)
MT = Unit(1e6, "Mt", 3)
KT = Unit(1e3, "kt", 1)
TONNES = Unit(1.0, "t", 0)


def is_missing(v: object) -> bool:
    """None or a float NaN (pandas' NA too)."""
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, pd.NA
    except (TypeError, ValueError):
        return False


def _is_number(v: object) -> bool:
    if isinstance(v, bool) or is_missing(v):
        return False
    try:
        float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not isinstance(v, (str, bytes))


def number(x: object, digits: int = 1, *, sign: bool = False) -> str:
    """``x`` with thousands separators and ``digits`` decimals; under 1, three significant
    digits (at most 6 decimals, trailing zeros dropped down to ``digits``). ``sign``: a
    leading ``+`` on positive values (and on a value that rounds to zero)."""
    if is_missing(x):
        return MISSING
    if not _is_number(x):
        return str(x)
    v = float(x)  # type: ignore[arg-type]
    if math.isinf(v):
        return ("-" if v < 0 else "+" if sign else "") + "inf"
    a = abs(v)
    if a >= 1 or a == 0:
        text = f"{a:,.{digits}f}"
    else:
        decimals = min(max(digits, SIGNIFICANT - 1 - math.floor(math.log10(a))), MAX_DECIMALS)
        text = _trim(f"{a:,.{decimals}f}", digits)
    zero = not any(c in "123456789" for c in text)
    if zero:
        return ("+" if sign else "") + text
    return ("-" if v < 0 else "+" if sign else "") + text


def _trim(text: str, digits: int) -> str:
    """Drop trailing zeros after the decimal point, keeping ``digits`` decimals."""
    if "." not in text:
        return text
    whole, frac = text.split(".")
    frac = frac.rstrip("0").ljust(digits, "0")
    return f"{whole}.{frac}" if frac else whole


def plain(x: object, *, sign: bool = False) -> str:
    """A number as it is in a file, readable: whole numbers with separators (``8,760``),
    others with six significant digits and at most 9 decimals (``0.35``), no exponent."""
    if is_missing(x):
        return MISSING
    if not _is_number(x):
        return str(x)
    v = float(x)  # type: ignore[arg-type]
    if math.isinf(v):
        return number(v, sign=sign)
    a = abs(v)
    if a == 0 or a.is_integer():
        text = f"{a:,.0f}"
    else:
        decimals = min(max(0, 5 - math.floor(math.log10(a))), 9)
        text = _trim(f"{a:,.{decimals}f}", 0)
    if text.strip("0.,") == "":
        return ("+" if sign else "") + "0"
    return ("-" if v < 0 else "+" if sign else "") + text


def count(n: object) -> str:
    """A count with thousands separators: ``1,234,567``."""
    if is_missing(n):
        return MISSING
    return plain(n)


def _with(x: object, unit: Unit, sign: bool) -> str:
    if is_missing(x):
        return MISSING
    if not _is_number(x):
        return str(x)
    text = number(float(x) / unit.divisor, unit.digits, sign=sign)  # type: ignore[arg-type]
    return f"{text} {unit.label}"


def money(cny: object, *, sign: bool = False) -> str:
    """CNY as ``4,191.0 M CNY (41.91 亿)``; the 亿 from 1 M CNY on."""
    text = _with(cny, MONEY, sign)
    if text != MISSING and _is_number(cny) and abs(float(cny)) >= 1e6:  # type: ignore[arg-type]
        text += f" ({_with(cny, YI, sign)})"
    return text


def percent(fraction: object, digits: int = 1, *, sign: bool = False) -> str:
    """A fraction as a percentage: 0.419 → ``41.9 %``."""
    return _with(fraction, Unit(0.01, "%", digits), sign)


def energy(mwh: object, *, sign: bool = False) -> str:
    """MWh as GWh: ``1,234.6 GWh``."""
    return _with(mwh, ENERGY, sign)


def co2_unit(t: float) -> Unit:
    """Mt from a million tonnes on, kt from a thousand, else t."""
    a = abs(t)
    return MT if a >= 1e6 else KT if a >= 1e3 else TONNES


def co2(t: object, *, sign: bool = False) -> str:
    """Tonnes of CO2 as ``1.235 Mt``, ``123.5 kt`` or ``60 t`` (by size)."""
    if is_missing(t) or not _is_number(t):
        return _with(t, TONNES, sign)
    return _with(t, co2_unit(float(t)), sign)  # type: ignore[arg-type]


def power(mw: object, *, sign: bool = False) -> str:
    """MW: ``80.0 MW``."""
    return _with(mw, POWER, sign)


def seconds(s: object, *, sign: bool = False) -> str:
    """Seconds to the hundredth: ``12.30 s``, ``0.01 s`` (timings are not read closer)."""
    if not _is_number(s) or math.isinf(float(s)):  # type: ignore[arg-type]
        return number(s)
    x = float(s)  # type: ignore[arg-type]
    return f"{x:+,.2f} s" if sign else f"{x:,.2f} s"


def rate(x: object, label: str, digits: int = 1, *, sign: bool = False) -> str:
    """A rate in the unit of its file column, with that unit: ``123.4 CNY/MWh`` (a marginal
    price), ``200.0 CNY/t CO2`` (an abatement cost); ``n/a`` when missing."""
    if is_missing(x):
        return MISSING
    return f"{number(x, digits, sign=sign)} {label}"


def unit_for(key: str, magnitude: float = 0.0) -> Unit | None:
    """The unit a key is shown in (None: a plain number); ``magnitude`` picks Mt/kt/t."""
    name = key.rsplit(".", 1)[-1].lower()
    if "_per_" in name:
        return None
    if name.endswith("_cny"):
        return MONEY
    if name.endswith("_share"):
        return PERCENT
    if name.endswith("_gap") or name == "gap":
        return GAP
    if name.endswith("_mwh"):
        return ENERGY
    if name.endswith("_t"):
        return co2_unit(magnitude)
    if name.endswith("_mw"):
        return POWER
    if name.endswith("_s"):
        return SECONDS
    return None


def quantity(key: str, v: object, *, sign: bool = False) -> str:
    """``v`` shown in the unit of ``key``'s suffix (see the module docstring)."""
    if is_missing(v):
        return MISSING
    if not _is_number(v):
        return str(v)
    unit = unit_for(key, abs(float(v)))  # type: ignore[arg-type]
    if unit is None:
        return plain(v, sign=sign)
    if unit is MONEY:
        return money(v, sign=sign)
    return _with(v, unit, sign)


def change(key: str, a: object, b: object) -> str:
    """``a → b (delta)`` in one unit (chosen by the larger of the two); a change of a share
    is in percentage points (``pp``). A missing or non-numeric side: ``a → b`` only."""
    if not (_is_number(a) and _is_number(b)):
        return f"{quantity(key, a)} {ARROW} {quantity(key, b)}"
    fa, fb = float(a), float(b)  # type: ignore[arg-type]
    unit = unit_for(key, max(abs(fa), abs(fb)))
    d = fb - fa
    if unit is None:
        return f"{plain(fa)} {ARROW} {plain(fb)} ({plain(d, sign=True)})"
    if unit is MONEY:
        return f"{money(fa)} {ARROW} {money(fb)} ({_with(d, MONEY, True)})"
    delta_unit = unit._replace(label="pp") if unit.label == "%" else unit
    shown_a, shown_b = _with(fa, unit, False), _with(fb, unit, False)
    return f"{shown_a} {ARROW} {shown_b} ({_with(d, delta_unit, True)})"


def column(key: str, values: Iterable[object]) -> tuple[str, list[str]]:
    """One table column: its unit (for the header, e.g. ``cost [M CNY]``) and its cells,
    numbers only, all in that unit (Mt/kt/t chosen by the largest value)."""
    vals = list(values)
    numbers = [abs(float(v)) for v in vals if _is_number(v)]  # type: ignore[arg-type]
    unit = unit_for(key, max(numbers, default=0.0))
    if unit is None:
        return "", [plain(v) for v in vals]
    cells = [
        number(float(v) / unit.divisor, unit.digits) if _is_number(v) else quantity(key, v)  # type: ignore[arg-type]
        for v in vals
    ]
    return unit.label, cells


__all__ = [
    "MISSING",
    "Unit",
    "change",
    "co2",
    "co2_unit",
    "column",
    "count",
    "energy",
    "is_missing",
    "money",
    "number",
    "percent",
    "plain",
    "power",
    "quantity",
    "rate",
    "seconds",
    "unit_for",
]
