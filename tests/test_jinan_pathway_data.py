"""The Jinan pathway studies' data (networks/jinan_pathway, networks/jinan_pathway_backtest).

These pin the data, not the model: every column the two folders share with networks/jinan is
identical, row by row (so the three cannot drift apart; the back-test's sources.csv has one extra
row, the pre-2025 coal aggregate of SOURCES.md PW14), every pathway year in the CSVs is traced in
networks/jinan_pathway/SOURCES.md, the pathway blocks are the documented ones, and both folders
and their scenario files load through heatnet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
JINAN = ROOT / "networks" / "jinan"
FORWARD = ROOT / "networks" / "jinan_pathway"
BACKTEST = ROOT / "networks" / "jinan_pathway_backtest"
SOURCES_MD = FORWARD / "SOURCES.md"  # traces both folders
FOLDERS = [FORWARD, BACKTEST]
TABLES = ["nodes.csv", "sources.csv", "pipes.csv", "demands.csv"]

#: the rows each folder may add to networks/jinan's, by file: only the back-test's aggregate of
#: the pre-2025 main-city coal boilers (SOURCES.md PW14), which networks/jinan (the sources left
#: in 2025) does not hold. Every other row must be networks/jinan's, in its order.
EXTRA_ROWS = {
    (BACKTEST, "sources.csv"): {"COAL_PRE2025_AGG"},
}

#: PW14: the extra row as documented (capacity DERIVED from the model's 2024-25 design-day
#: shortfall; costs per MW as networks/jinan's coal points, A9/A22/A23/A24; on a main-city
#: aggregate node, A31)
PRE2025_AGG = {
    "node": "D_EAST",
    "technology": "coal_boiler",
    "capacity_mw": "3930",
    "status": "retirable",
    "variable_cost_cny_per_mwh": "165.6",
    "co2_t_per_mwh": "0.4248",
    "fixed_cost_cny_per_year": "58950000",  # 15,000 CNY/MW/yr (A23)
    "retirement_cost_cny": "561428571",  # 142,857 CNY/MW (A24)
    "earliest_year": "",
    "retire_by": "",
    "pathway_basis": "PW14",
}

#: the columns each folder may add to networks/jinan's, by file
NEW_COLUMNS = {
    "nodes.csv": set(),
    "demands.csv": set(),
    "sources.csv": {"earliest_year", "retire_by", "pathway_basis"},
    "pipes.csv": {"earliest_year", "pathway_basis"},
}

#: SOURCES.md §2: the pathway blocks as documented
PATHWAYS = {
    FORWARD: {
        "years": [2025, 2026, 2027, 2028, 2029, 2030],
        "demand_scale": {2025: 1.0, 2030: 1.103},
        "carbon_price_cny_per_t": {2025: 62.36, 2030: 160},
        "co2_peak_year": 2029,
    },
    BACKTEST: {
        "years": [2023, 2024, 2025, 2026, 2027, 2028, 2029, 2030],
        "demand_scale": {2023: 0.9588, 2025: 1.0, 2030: 1.103},
        "carbon_price_cny_per_t": {2023: 68.15, 2024: 95.8, 2025: 62.36, 2030: 160},
        "co2_peak_year": 2029,
    },
}

#: SOURCES.md §3: every non-blank pathway cell, (folder, file, id, column) -> year
PATHWAY_CELLS = {
    **{
        (folder, "pipes.csv", pipe, "earliest_year"): 2025
        for folder in FOLDERS
        for pipe in ("E_N1", "E_N2", "E_N3", "E_S1", "E_L2", "C_TIE_LZ", "C_TIE_TJ", "C_N_DUP")
    },
    (FORWARD, "sources.csv", "S_CHANGQING", "earliest_year"): 2025,
    (BACKTEST, "sources.csv", "S_CHANGQING", "earliest_year"): 2025,
    (FORWARD, "sources.csv", "COAL_MINGHU", "retire_by"): 2025,
    (FORWARD, "sources.csv", "COAL_DONGXIN", "retire_by"): 2025,
}


def _csv(path: Path) -> pd.DataFrame:
    """A CSV as text, exactly as written (blank cells stay "")."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _sources_md() -> str:
    return SOURCES_MD.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
@pytest.mark.parametrize("table", TABLES)
def test_shared_columns_equal_networks_jinan(folder: Path, table: str) -> None:
    base, other = _csv(JINAN / table), _csv(folder / table)
    missing = [c for c in base.columns if c not in other.columns]
    assert not missing, f"{folder.name}/{table} lacks columns of networks/jinan: {missing}"
    extra = set(other.columns) - set(base.columns)
    assert extra <= NEW_COLUMNS[table], f"{folder.name}/{table}: unexpected columns {extra}"
    extra_rows = EXTRA_ROWS.get((folder, table), set())
    assert set(other["id"]) - set(base["id"]) == extra_rows, f"{folder.name}/{table}: extra rows"
    other = other[~other["id"].isin(extra_rows)].reset_index(drop=True)
    assert list(other["id"]) == list(base["id"]), f"{folder.name}/{table}: rows differ"
    for col in base.columns:
        diff = base.index[base[col] != other[col]]
        assert diff.empty, (
            f"{folder.name}/{table} column {col!r} differs from networks/jinan at ids "
            f"{list(base.loc[diff, 'id'])}"
        )


def test_backtest_pre2025_coal_aggregate_as_documented() -> None:
    """PW14: the back-test's one extra row, its per-MW costs those of networks/jinan's coal
    points, on the node of a main-city coal aggregate, and traced in SOURCES.md."""
    row = _csv(BACKTEST / "sources.csv").set_index("id").loc["COAL_PRE2025_AGG"]
    for col, value in PRE2025_AGG.items():
        assert row[col] == value, col
    jinan = _csv(JINAN / "sources.csv").set_index("id")
    coal = jinan.loc["COAL_AGG_EAST"]
    assert coal["node"] == row["node"]
    mw, coal_mw = float(row["capacity_mw"]), float(coal["capacity_mw"])
    for col in ("variable_cost_cny_per_mwh", "co2_t_per_mwh", "technology", "status"):
        assert row[col] == coal[col], col
    for col in ("fixed_cost_cny_per_year", "retirement_cost_cny"):
        assert float(row[col]) / mw == pytest.approx(float(coal[col]) / coal_mw, rel=1e-5), col
    text = _sources_md()
    assert re.search(r"^\| `PW14` \|.*`COAL_PRE2025_AGG`", text, flags=re.MULTILINE)
    # not in the forward study: by 2025-26 these boilers were closing (PW14)
    assert "COAL_PRE2025_AGG" not in set(_csv(FORWARD / "sources.csv")["id"])


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_only_the_network_tables_and_the_study_files(folder: Path) -> None:
    csvs = sorted(p.name for p in folder.glob("*.csv"))
    assert csvs == sorted(TABLES)
    assert (folder / "network.yaml").is_file()
    assert (folder / "scenarios.yaml").is_file()
    assert (folder / "SOURCES.md").is_file()


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_economics_as_networks_jinan(folder: Path) -> None:
    doc, base = _yaml(folder / "network.yaml"), _yaml(JINAN / "network.yaml")
    assert doc["economics"] == base["economics"]
    assert doc["profiles"] == base["profiles"]


def test_security_forward_as_networks_jinan_backtest_none() -> None:
    """SOURCES.md §2: the forward study keeps networks/jinan's block; the back-test has none
    (PW12)."""
    assert _yaml(FORWARD / "network.yaml")["security"] == _yaml(JINAN / "network.yaml")["security"]
    assert "security" not in _yaml(BACKTEST / "network.yaml")


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_pathway_block_as_documented(folder: Path) -> None:
    block = _yaml(folder / "network.yaml")["pathway"]
    expected = PATHWAYS[folder]
    assert block["years"] == expected["years"]
    assert block["co2_peak_year"] == expected["co2_peak_year"]
    assert "co2_cap_t" not in block
    for key in ("demand_scale", "carbon_price_cny_per_t"):
        got = {int(y): float(v) for y, v in block[key].items()}
        assert got == pytest.approx(expected[key]), key
        assert set(got) <= set(block["years"]), f"{key}: years outside pathway.years"
    # PW1: one straight line, +815.8万 m²/yr on 39,600万 m², through 2025 = 1
    slope = 4079 / 5 / 39600
    for year, scale in block["demand_scale"].items():
        assert scale == pytest.approx(1 + slope * (int(year) - 2025), abs=5e-5)
    # the documented years appear in SOURCES.md §2
    text = _sources_md()
    assert str(expected["years"]).replace("'", "") in text or (
        f"[{expected['years'][0]}, …, {expected['years'][-1]}]" in text
    )


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_pathway_cells_are_the_traced_ones(folder: Path) -> None:
    """Every non-blank earliest_year / retire_by is listed in SOURCES.md §3 (id and basis keys
    defined in §4), is a whole year, and obeys the spec's rules (none on the wrong status,
    deadlines inside the years)."""
    years = PATHWAYS[folder]["years"]
    text = _sources_md()
    defined = set(re.findall(r"^\| `(PW\d+)` \|", text, flags=re.MULTILINE))
    found = {}
    for table, columns in (
        ("sources.csv", ("earliest_year", "retire_by")),
        ("pipes.csv", ("earliest_year",)),
    ):
        df = _csv(folder / table)
        for col in columns:
            for _, row in df[df[col] != ""].iterrows():
                ident, value = row["id"], row[col]
                assert re.fullmatch(r"\d{4}", value), f"{table} {ident} {col}: {value!r}"
                found[(folder, table, ident, col)] = int(value)
                assert f"`{ident}`" in text, f"{ident} ({col}) is not traced in SOURCES.md"
                keys = [k for k in row["pathway_basis"].split(";") if k]
                assert keys, f"{table} {ident}: {col} set but pathway_basis empty"
                assert set(keys) <= defined, f"{ident}: keys {set(keys) - defined} undefined"
                if col == "retire_by":
                    assert row["status"] == "retirable", f"retire_by on {row['status']} {ident}"
                    assert years[0] <= int(value) <= years[-1], f"{ident}: deadline outside"
                if table == "sources.csv" and col == "earliest_year":
                    assert row["status"] != "retirable", f"earliest_year on retirable {ident}"
        # a basis only where there is a value to trace, or on an extra row (PW14)
        with_value = df[[c for c in columns]].ne("").any(axis=1)
        with_value |= df["id"].isin(EXTRA_ROWS.get((folder, table), set()))
        assert (df.loc[~with_value, "pathway_basis"] == "").all(), table
    expected = {k: v for k, v in PATHWAY_CELLS.items() if k[0] == folder}
    assert found == expected


def test_scenario_deadlines_are_traced() -> None:
    """The scenarios' retire_by values (SOURCES.md §3.3) are retirable sources, in the years,
    and named in SOURCES.md."""
    text = _sources_md()
    for folder in FOLDERS:
        sources = _csv(folder / "sources.csv").set_index("id")
        years = PATHWAYS[folder]["years"]
        for name, sc in _yaml(folder / "scenarios.yaml")["scenarios"].items():
            for ident, cols in (sc or {}).get("sources", {}).items():
                if "retire_by" not in cols or cols["retire_by"] is None:
                    continue
                assert sources.loc[ident, "status"] == "retirable", (name, ident)
                assert years[0] <= cols["retire_by"] <= years[-1], (name, ident)
                assert f"`{ident}`" in text, (name, ident)
            assert f"`{name}`" in text or name == "base", f"scenario {name} not in SOURCES.md"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_loads_through_heatnet(folder: Path) -> None:
    """Needs the parser of the pathway block and columns (heatnet/io.py, issue 13)."""
    from heatnet.io import read_network

    net, problems = read_network(folder)
    assert net is not None, [str(p) for p in problems]
    assert not [p for p in problems if p.severity != "info"], [str(p) for p in problems]
    expected = PATHWAYS[folder]
    assert net.pathway is not None
    assert list(net.pathway.years) == expected["years"]
    assert net.pathway.co2_peak_year == expected["co2_peak_year"]
    assert net.pathway.demand_scale_in(2030) == pytest.approx(1.103)
    assert net.pathway.demand_scale_in(2026) == pytest.approx(1 + (1.103 - 1) / 5)
    assert net.pathway.carbon_price_in(2030, net.economics) == pytest.approx(160)
    assert net.pathway.carbon_price_in(2025, net.economics) == pytest.approx(62.36)
    if folder is BACKTEST:
        assert net.pathway.demand_scale_in(2024) == pytest.approx((0.9588 + 1.0) / 2)
        assert net.pathway.carbon_price_in(2023, net.economics) == pytest.approx(68.15)
        assert net.pathway.carbon_price_in(2024, net.economics) == pytest.approx(95.8)
        assert net.security is None
    else:
        assert net.security is not None
    assert float(net.sources.loc["S_CHANGQING", "earliest_year"]) == 2025
    assert float(net.pipes.loc["E_S1", "earliest_year"]) == 2025


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_scenarios_load_and_apply(folder: Path) -> None:
    """Needs scenario overrides of the pathway block and columns (heatnet/scenarios.py)."""
    from heatnet.io import load_network
    from heatnet.scenarios import apply_scenario, load_scenarios

    net = load_network(folder)
    scenarios = load_scenarios(folder / "scenarios.yaml", net)
    applied = {name: apply_scenario(net, sc) for name, sc in scenarios.scenarios.items()}
    assert "base" in applied
    if folder is FORWARD:
        assert set(applied) == {"base", "no_security", "carbon_high", "coal_deadline_no_security"}
        assert applied["no_security"].security is None
        high = applied["carbon_high"]
        assert high.pathway.carbon_price_in(2030, high.economics) == pytest.approx(300)
        assert list(high.pathway.years) == PATHWAYS[FORWARD]["years"]
        dl = applied["coal_deadline_no_security"]
        assert dl.security is None
        assert (dl.sources.loc[dl.sources["retire_by"].notna(), "retire_by"] >= 2025).all()
        assert int(dl.sources["retire_by"].eq(2026).sum()) == 8
    else:
        assert set(applied) == {"base", "history_deadlines"}
        hist = applied["history_deadlines"].sources["retire_by"]
        assert hist["COAL_DONGXIN"] == 2023
        assert hist["COAL_MINGHU"] == 2024
        assert hist["COAL_PRE2025_AGG"] == 2026  # PW14
        assert int(hist.eq(2026).sum()) == 9
        assert pd.isna(hist["S_TAIAN_LOCAL"])
