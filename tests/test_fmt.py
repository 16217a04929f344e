"""heatnet.fmt: the one formatter of numbers that reach a person (issue 14, finding 9)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatnet import fmt


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: fmt.money(4_191_040_000), "4,191.0 M CNY (41.91 亿)"),
        (lambda: fmt.money(-187_231_000, sign=True), "-187.2 M CNY (-1.87 亿)"),
        (lambda: fmt.money(187_231_000, sign=True), "+187.2 M CNY (+1.87 亿)"),
        (lambda: fmt.money(12_345), "0.0123 M CNY"),
        (lambda: fmt.money(0), "0.0 M CNY"),
        (lambda: fmt.money(1e15), "1,000,000,000.0 M CNY (10,000,000.00 亿)"),
        (lambda: fmt.money(np.float64(2.5e8)), "250.0 M CNY (2.50 亿)"),
        (lambda: fmt.percent(0.419), "41.9 %"),
        (lambda: fmt.percent(1.0), "100.0 %"),
        (lambda: fmt.percent(1e-4, 2), "0.01 %"),
        (lambda: fmt.percent(-0.031, sign=True), "-3.1 %"),
        (lambda: fmt.energy(1_234_567), "1,234.6 GWh"),
        (lambda: fmt.energy(12.3), "0.0123 GWh"),
        (lambda: fmt.energy(0.0), "0.0 GWh"),
        (lambda: fmt.energy(1e-9), "0.0 GWh"),
        (lambda: fmt.energy(-1e-9, sign=True), "+0.0 GWh"),
        (lambda: fmt.co2(1_234_567), "1.235 Mt"),
        (lambda: fmt.co2(123_456), "123.5 kt"),
        (lambda: fmt.co2(60), "60 t"),
        (lambda: fmt.co2(-5_000, sign=True), "-5.0 kt"),
        (lambda: fmt.power(1234.56), "1,234.6 MW"),
        (lambda: fmt.seconds(12.345), "12.35 s"),
        (lambda: fmt.seconds(0.042), "0.04 s"),
        (lambda: fmt.count(1_234_567), "1,234,567"),
        (lambda: fmt.count(np.int64(8760)), "8,760"),
        (lambda: fmt.number(1e20, 0), "100,000,000,000,000,000,000"),
        (lambda: fmt.number(-0.5, 1), "-0.5"),
    ],
)
def test_exact_strings(call: object, expected: str) -> None:
    assert call() == expected  # type: ignore[operator]


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, np.float32("nan")])
def test_missing_values_are_na(missing: object) -> None:
    for f in (fmt.money, fmt.percent, fmt.energy, fmt.co2, fmt.power, fmt.seconds, fmt.count):
        assert f(missing) == fmt.MISSING == "n/a"
    assert fmt.quantity("objective_cny", missing) == "n/a"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("objective_cny", 4_191_040_000.0, "4,191.0 M CNY (41.91 亿)"),
        ("cost.coal_cny", 2.5e8, "250.0 M CNY (2.50 亿)"),
        ("waste_heat_share", 0.25, "25.0 %"),
        ("mip_gap", 1e-4, "0.01 %"),
        ("heat_demand_mwh", 4_321_000, "4,321.0 GWh"),
        ("co2_t", 2_345_678, "2.346 Mt"),
        ("capacity_mw", 80, "80.0 MW"),
        ("solve_s", 3.21, "3.21 s"),
        # rates keep the unit of the file: no scaling of either side of _per_
        ("carbon_price_cny_per_t", 100, "100"),
        ("co2_t_per_mwh", 0.35, "0.35"),
        ("loss_fraction_per_km", 1.5e-7, "0.00000015"),
        ("weight_h", 8760, "8,760"),
        ("x", 1e20, "100,000,000,000,000,000,000"),
        ("x", 123.456789, "123.457"),
        ("status", "optimal", "optimal"),
        ("flag", True, "True"),
    ],
)
def test_quantity_by_key_suffix(key: str, value: object, expected: str) -> None:
    assert fmt.quantity(key, value) == expected


def test_no_e_notation_anywhere() -> None:
    for key in ("objective_cny", "co2_t", "unserved_mwh", "coal_share", "x", "a_per_b"):
        for v in (1e-12, 3.3e-7, 1.0, 4.19104e9, 1e18, -2.2e11):
            text = fmt.quantity(key, v) + fmt.change(key, v, v * 1.5)
            assert "e+" not in text, (key, v, text)
            assert "e-" not in text, (key, v, text)


@pytest.mark.parametrize(
    ("key", "a", "b", "expected"),
    [
        (
            "objective_cny",
            4.19104e9,
            4.37827e9,
            "4,191.0 M CNY (41.91 亿) → 4,378.3 M CNY (43.78 亿) (+187.2 M CNY)",
        ),
        ("waste_heat_share", 0.419, 0.45, "41.9 % → 45.0 % (+3.1 pp)"),
        ("coal_share", 0.5, 0.25, "50.0 % → 25.0 % (-25.0 pp)"),
        ("co2_t", 1_200_000, 900_000, "1.200 Mt → 0.900 Mt (-0.300 Mt)"),
        ("unserved_mwh", 0.0, 12.0, "0.0 GWh → 0.012 GWh (+0.012 GWh)"),
        ("objective_cny", None, 5e6, "n/a → 5.0 M CNY (0.05 亿)"),
        ("unserved_mwh", float("nan"), 5.0, "n/a → 0.005 GWh"),
        ("carbon_price_cny_per_t", 0, 100, "0 → 100 (+100)"),
        ("status", "retirable", "existing", "retirable → existing"),
    ],
)
def test_change(key: str, a: object, b: object, expected: str) -> None:
    assert fmt.change(key, a, b) == expected


def test_column_shares_one_unit() -> None:
    assert fmt.column("co2_t", [60, 30, None]) == ("t", ["60", "30", "n/a"])
    assert fmt.column("co2_t", [2_000_000, 500_000]) == ("Mt", ["2.000", "0.500"])
    assert fmt.column("objective_cny", [8_500, math.nan]) == ("M CNY", ["0.0085", "n/a"])
    assert fmt.column("waste_heat_share", [0.25, 1.0]) == ("%", ["25.0", "100.0"])
    assert fmt.column("unserved_mwh", []) == ("GWh", [])
