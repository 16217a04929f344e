"""The embedded Jinan network's security block and its scenarios (networks/jinan/SOURCES.md §14).

These pin the data, not the model: the block loads, the contingency list is the one SOURCES.md
justifies (and follows its stated rule), and the scenario file parses and applies. One daily
solve (marked slow) checks the plan the block leads to.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import heatnet
from heatnet.network import contingency_set
from heatnet.scenarios import apply_scenario, read_scenarios

ROOT = Path(__file__).resolve().parent.parent
JINAN = ROOT / "networks" / "jinan"
SOURCES_MD = JINAN / "SOURCES.md"
SCENARIOS = ROOT / "scenarios" / "jinan_examples.yaml"

#: SOURCES.md §14, S4: every long-distance transmission-line segment (real and hypothetical)
PIPE_CONTINGENCIES = [
    "E_N1",
    "E_N2",
    "E_N3",
    "E_S1",
    "E_S2",
    "E_L2",
    "E_Z2",
    "C_TIE_LZ",
    "C_TIE_TJ",
    "C_N_DUP",
]
#: SOURCES.md §14, S5: every single plant (not an aggregate) of at least 1,000 MW
SOURCE_CONTINGENCIES = [
    "S_XINYUAN",
    "S_HUANGTAI",
    "S_LAICHENG",
    "S_CHANGQING",
    "S_HAOJI",
    "S_SHIHENG",
    "S_ZHANGQIU",
]
CONTINGENCIES = PIPE_CONTINGENCIES + SOURCE_CONTINGENCIES

#: SOURCES.md §14, S6: the cold wave's daily mean and the degree-day rule of the profiles
INDOOR_C, DESIGN_C, COLD_WAVE_C = 18.0, -5.3, -11.5


@pytest.fixture(scope="module")
def net() -> heatnet.Network:
    return heatnet.load_network(JINAN)


def _section_14() -> str:
    text = SOURCES_MD.read_text(encoding="utf-8")
    start = text.index("## 14. security")
    return text[start:]


def test_block_loads_with_the_traced_values(net: heatnet.Network) -> None:
    sec = net.security
    assert sec is not None
    assert sec.served_share == 0.4  # S1, the UNVERIFIED CJJ 34 lead for > -10 °C
    assert sec.intact_share == 1.0  # S2
    assert sec.design_factor == 1.0  # S3
    assert sec.contingencies is not None  # an explicit list, not auto (S4, S5)
    assert list(sec.contingencies) == CONTINGENCIES


def test_every_contingency_is_live_and_none_is_skipped(net: heatnet.Network) -> None:
    pipes, sources, skipped = contingency_set(net)
    assert sorted(pipes) == sorted(PIPE_CONTINGENCIES)
    assert sorted(sources) == sorted(SOURCE_CONTINGENCIES)
    assert skipped == []


def test_sources_md_lists_the_same_contingencies() -> None:
    sec14 = _section_14()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(S\d)` \| (.*)$", sec14, re.M)}
    bold = lambda row: set(re.findall(r"\*\*([A-Z][A-Z0-9_]+)\*\*", row))  # noqa: E731
    assert bold(rows["S4"]) >= set(PIPE_CONTINGENCIES)
    assert bold(rows["S5"]) >= set(SOURCE_CONTINGENCIES)
    # the aggregates auto would add are named as left out, not as contingencies
    assert {"S_LC_CENTRAL", "S_TAIAN_LOCAL"} <= bold(rows["S5"])
    assert not {"S_LC_CENTRAL", "S_TAIAN_LOCAL"} & set(CONTINGENCIES)
    # the caveat is said plainly
    assert "could not be verified" in rows["S1"]
    assert "NOT FOUND" in rows["S1"]


def test_the_list_follows_its_stated_rule(net: heatnet.Network) -> None:
    """S4: every pipe of 20 km or more is listed, plus the 10 km tunnel segment E_N3; S5:
    every non-aggregate source of at least 1,000 MW is listed, and only those."""
    pipes, sources = net.pipes, net.sources
    long_pipes = set(pipes.index[pipes["length_km"] >= 20])
    assert long_pipes == set(PIPE_CONTINGENCIES) - {"E_N3"}
    assert pipes.loc["E_N3", "project"].startswith("聊热入济 北线")
    single = sources[~sources["aggregate"].astype(str).str.lower().eq("true")]
    assert set(single.index[single["capacity_mw"] >= 1000]) == set(SOURCE_CONTINGENCIES)
    big_aggregates = sources.index[
        (sources["capacity_mw"] >= 1000) & ~sources.index.isin(single.index)
    ]
    assert set(big_aggregates) == {"S_LC_CENTRAL", "S_TAIAN_LOCAL"}


def test_scenarios_parse_without_problems(net: heatnet.Network) -> None:
    sset, problems = read_scenarios(SCENARIOS, net)
    assert sset is not None, [str(p) for p in problems]
    assert not problems  # no warnings either: late_south_line drops E_S1 from its list
    assert {"cold_wave", "no_security", "co2_cap_1200kt_no_security"} <= set(sset.scenarios)


def test_cold_wave_factor_follows_the_degree_day_rule() -> None:
    daily = pd.read_csv(ROOT / "demand_profiles" / "jinan_daily.csv")
    peak = float(daily["space_heating"].max())
    factor = (INDOOR_C - COLD_WAVE_C) / (INDOOR_C - DESIGN_C) / peak
    sset, _ = read_scenarios(SCENARIOS, heatnet.load_network(JINAN))
    assert sset is not None
    cold = apply_scenario(heatnet.load_network(JINAN), sset["cold_wave"])
    assert cold.security is not None
    assert cold.security.design_factor == pytest.approx(factor, abs=5e-4)
    assert cold.security.design_factor == 1.196
    assert cold.security.intact_share == 0.9  # 1.0 is infeasible (SOURCES.md §14, S6)
    assert cold.security.served_share == 0.4  # the rest of the block is the network's
    assert list(cold.security.contingencies or ()) == CONTINGENCIES


def test_scenarios_apply(net: heatnet.Network) -> None:
    sset, _ = read_scenarios(SCENARIOS, net)
    assert sset is not None
    assert apply_scenario(net, sset["no_security"]).security is None
    capped = apply_scenario(net, sset["co2_cap_1200kt_no_security"])
    assert capped.security is None
    assert capped.economics.co2_cap_t == 1.2e6
    late = apply_scenario(net, sset["late_south_line"])
    assert late.pipes.loc["E_S1", "status"] == "unavailable"
    p_ids, s_ids, skipped = contingency_set(late)
    assert skipped == []
    assert "E_S1" not in p_ids
    assert sorted(p_ids + s_ids) == sorted(c for c in CONTINGENCIES if c != "E_S1")
    base = apply_scenario(net, sset["base"])
    assert base.security == net.security


@pytest.mark.slow
def test_daily_plan_with_security_builds_the_laiwu_zhangqiu_tie(net: heatnet.Network) -> None:
    """SOURCES.md §14.1: the 章丘 CHP outage leaves 章丘 at 29.9 % without C_TIE_LZ, so the
    secure plan builds it; no coal point is retired; the plan stays a proven optimum."""
    run = heatnet.solve(net)
    s = run.summary
    assert s["status"] == "optimal"
    assert "C_TIE_LZ" in s["built_pipes"]
    assert s["retired"] == []
    assert s["objective_cny"] == pytest.approx(4_215.2e6, rel=1e-3)
    sec = s["security"]
    assert sec["contingencies"]
    assert set(sec["contingencies"]) == set(CONTINGENCIES)
    assert sec["min_served_share"] >= 0.4 - 1e-6
