"""Pathway (spec v1.1 §4) speed benchmark: one command, a CSV and a Markdown table.

    python benchmarks/pathway.py              # every case (about half an hour on 2 cores)
    python benchmarks/pathway.py --only jinan # cases whose label contains "jinan"

Each case runs ``heatnet.solve`` end to end on a pathway network in a fresh process (so its
peak memory is its own), stopped by a watchdog above ``--memory-limit-gb``:

* ``jinan_backtest_daily``: networks/jinan_pathway_backtest, 8 seasons (2023–2030) on the
  daily profile (121 periods): one MILP of all seasons. Target: under 60 s.
* ``jinan_backtest_hourly``: the same on the hourly profile (2,904 periods): design on
  aggregated periods of all seasons at once, each season at full resolution after. Target:
  under 5 min, with the design gap reported.
* ``jinan_forward_daily``: networks/jinan_pathway (2025–2030, with its security block).
* ``city1000_T288_Y5``: a generated city of 1,000 districts, 288 periods (12 typical days),
  5 seasons (demand × 1.00 → 1.10, carbon 60 → 160 CNY/t), 1 % gap. Target: within 15 min
  and 12 GB on 2 cores.
* other shapes and seeds, so that no default is tuned to one network: 400 districts
  (seed 1) × 288 × 5 seasons with a CO2 peak year, 100 districts (seed 2) on the hourly
  season × 3 seasons, and 100 districts (seed 3) × 288 × 5 seasons with a peak year.

Results: ``benchmarks/out/pathway.csv`` and ``benchmarks/out/pathway.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
HOURLY = ROOT / "demand_profiles" / "jinan_hourly.csv"

CASES: dict[str, dict[str, object]] = {
    "jinan_backtest_daily": {"network": "networks/jinan_pathway_backtest", "gap": 1e-4},
    "jinan_backtest_hourly": {
        "network": "networks/jinan_pathway_backtest",
        "profiles": str(HOURLY),
        "gap": 1e-3,
    },
    "jinan_forward_daily": {"network": "networks/jinan_pathway", "gap": 1e-4},
    "city1000_T288_Y5": {"city": [1000, 0, "typical", 5, None], "gap": 1e-2, "limit": 900},
    "city400_T288_Y5_peak": {"city": [400, 1, "typical", 5, 2027], "gap": 1e-2, "limit": 900},
    "city100_T2904_Y3": {"city": [100, 2, "hourly", 3, None], "gap": 1e-2, "limit": 900},
    "city100_T288_Y5_peak": {"city": [100, 3, "typical", 5, 2027], "gap": 1e-2, "limit": 900},
}


def city_network(n: int, seed: int, resolution: str, years: int, peak: int | None) -> object:
    """A generated city with a pathway of ``years`` seasons from 2025."""
    from heatnet.generate import generate_city
    from heatnet.network import Pathway

    net = generate_city(n, seed=seed, resolution=resolution)  # type: ignore[arg-type]
    ys = tuple(range(2025, 2025 + years))
    pathway = Pathway(
        years=ys,
        demand_scale=((ys[0], 1.0), (ys[-1], 1.10)),
        carbon_price_cny_per_t=((ys[0], 60.0), (ys[-1], 160.0)),
        co2_peak_year=peak,
    )
    return net.replace(pathway=pathway)


def run_case(label: str) -> dict[str, object]:
    """One case in this process; the JSON record."""
    t0 = time.perf_counter()
    import heatnet
    from heatnet.io import load_network

    sys.path.insert(0, str(BENCH))
    from _rss import peak_rss_mb

    spec = CASES[label]
    if "city" in spec:
        net = city_network(*spec["city"])  # type: ignore[misc]
    else:
        net = load_network(ROOT / str(spec["network"]), spec.get("profiles"))  # type: ignore[arg-type]
    t_load = time.perf_counter()
    opts = heatnet.SolveOptions(
        mip_gap=float(spec["gap"]),  # type: ignore[arg-type]
        time_limit_s=spec.get("limit"),  # type: ignore[arg-type]
    )
    run = heatnet.solve(net, opts)
    t_end = time.perf_counter()
    s, r = run.summary, run.result
    ts = s.get("two_stage") or {}
    years = (s.get("pathway") or {}).get("years") or []
    return {
        "case": label,
        "districts": int(net.demands["node"].nunique()),  # type: ignore[attr-defined]
        "periods": net.n_periods,  # type: ignore[attr-defined]
        "seasons": len(years),
        "mode": s["solve_mode"],
        "aggregation": ts.get("aggregation"),
        "status": s["status"],
        "termination": s["termination"],
        "npv_cny": s["objective_cny"],
        "bound_cny": s["bound_cny"],
        "gap": s["mip_gap"],
        "design_rounds": len(ts.get("rounds", [])) or None,
        "build_s": r.build_s,
        "solve_s": r.solve_s,
        "load_s": t_load - t0,
        "total_s": t_end - t0,
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": r.n_cols,
        "n_binaries": r.n_binaries,
    }


def run_process(label: str, limit_gb: float, timeout_s: float) -> dict[str, object]:
    """Run a case in a fresh process with a memory watchdog."""
    import psutil

    proc = subprocess.Popen(
        [sys.executable, __file__, "--case", label],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    p = psutil.Process(proc.pid)
    start = time.perf_counter()
    peak = 0.0
    while proc.poll() is None:
        try:
            rss = p.memory_info().rss / 2**30
        except psutil.NoSuchProcess:
            break
        peak = max(peak, rss)
        if rss > limit_gb or time.perf_counter() - start > timeout_s:
            proc.kill()
            why = "memory" if rss > limit_gb else "time"
            return {"case": label, "status": f"stopped ({why})", "peak_rss_mb": peak * 1024}
        time.sleep(0.5)
    out, err = proc.communicate()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"case": label, "status": "error", "error": err.strip().splitlines()[-1:]}
    return json.loads(lines[-1])


def markdown(rows: list[dict[str, object]]) -> str:
    """The results as a Markdown table."""

    def f(x: object, spec: str) -> str:
        return "" if x is None else format(x, spec) if isinstance(x, int | float) else str(x)

    head = (
        "| case | districts | periods | seasons | mode | status | NPV [M CNY] | gap | "
        "rounds | solve [s] | total [s] | peak RSS [GB] |\n"
        "|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|"
    )
    body = []
    for r in rows:
        npv = r.get("npv_cny")
        rss = r.get("peak_rss_mb")
        body.append(
            f"| {r['case']} | {f(r.get('districts'), 'd')} | {f(r.get('periods'), 'd')} | "
            f"{f(r.get('seasons'), 'd')} | {r.get('mode', '')} | {r['status']} | "
            f"{f(None if npv is None else float(npv) / 1e6, ',.2f')} | "
            f"{f(None if r.get('gap') is None else 100 * float(r['gap']), '.3f')} % | "
            f"{f(r.get('design_rounds'), 'd')} | {f(r.get('solve_s'), '.1f')} | "
            f"{f(r.get('total_s'), '.1f')} | "
            f"{f(None if rss is None else float(rss) / 1024, '.2f')} |"
        )
    return "\n".join([head, *body]) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--only", help="run only cases whose label contains this text")
    ap.add_argument("--memory-limit-gb", type=float, default=12.0)
    ap.add_argument("--timeout-s", type=float, default=1800.0)
    ap.add_argument("--out", default=str(BENCH / "out"))
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)), flush=True)
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for label in CASES:
        if args.only and args.only not in label:
            continue
        print(f"{label} ...", flush=True)
        row = run_process(label, args.memory_limit_gb, args.timeout_s)
        print(json.dumps(row), flush=True)
        rows.append(row)
    import pandas as pd

    pd.DataFrame(rows).to_csv(out / "pathway.csv", index=False)
    (out / "pathway.md").write_text(markdown(rows), encoding="utf-8")
    print(markdown(rows))


if __name__ == "__main__":
    main()
