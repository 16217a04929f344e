"""One benchmark case in a fresh process (so peak memory is the case's own); prints one JSON line.

    python benchmarks/case.py heatnet NETWORK [--profiles CSV] [--mode auto|single|two]
    python benchmarks/case.py write-mps NETWORK OUT.mps [--profiles CSV]
    python benchmarks/case.py highs OUT.mps

``heatnet``: ``heatnet.solve`` end to end (read the folder, build, hand off, solve, prices, result
tables; results are not written to disk). ``write-mps``: heatnet's full-resolution MILP written
as an MPS file by HiGHS, with its cost scale beside it (``OUT.json``). ``highs``: HiGHS alone
reads the MPS file and solves it — the solver's own time and memory on the same model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _rss import peak_rss_mb  # benchmarks/ is on sys.path: scripts run from it


def run_heatnet(args: argparse.Namespace) -> dict[str, object]:
    t0 = time.perf_counter()
    import heatnet
    from heatnet.io import load_network
    from heatnet.options import SolveOptions

    t_import = time.perf_counter()
    net = load_network(args.network, args.profiles)
    if args.security == "none":
        net = net.replace(security=None)
    elif args.security != "network":
        from heatnet.network import Security

        served, _, intact = args.security.partition(":")
        net = net.replace(
            security=Security(served_share=float(served), intact_share=float(intact or 1.0))
        )
    t_load = time.perf_counter()
    two = {"auto": None, "single": False, "two": True}[args.mode]
    opts = SolveOptions(
        mip_gap=args.mip_gap,
        time_limit_s=args.time_limit,
        two_stage=two,
        typical_days=args.typical_days,
    )
    run = heatnet.solve(net, opts)
    t_end = time.perf_counter()
    s, r = run.summary, run.result
    ts = s.get("two_stage") or {}
    return {
        "tool": "heatnet",
        "mode": s["solve_mode"],
        "status": s["status"],
        "objective_cny": s["objective_cny"],
        "bound_cny": s["bound_cny"],
        "gap": s["mip_gap"],
        "import_s": t_import - t0,
        "load_s": t_load - t_import,
        "build_s": r.build_s,
        "handoff_s": r.handoff_s,
        "solve_s": r.solve_s,
        "prices_s": r.prices_s,
        "total_s": t_end - t_import,
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": r.n_cols,
        "n_rows": r.n_rows,
        "n_nonzeros": r.n_nonzeros,
        "n_binaries": r.n_binaries,
        "unserved_mwh": s.get("unserved_mwh"),
        "stage1_objective_cny": ts.get("stage1_objective_cny"),
        "stage1_bound_cny": ts.get("stage1_bound_cny"),
        "stage1_solve_s": (ts.get("timings_s") or {}).get("stage1", {}).get("solve"),
        "stage2_solve_s": (ts.get("timings_s") or {}).get("stage2", {}).get("solve"),
        "aggregation": ts.get("aggregation", "typical_days" if ts else None),
        "time_slices": ts.get("time_slices"),
        "design_rounds": len(ts.get("rounds", [])) or None,
        "contingencies": len((s.get("security") or {}).get("contingencies", [])),
    }


def write_mps(args: argparse.Namespace) -> dict[str, object]:
    from heatnet.io import load_network
    from heatnet.model import build_model
    from heatnet.solve import (
        _compile_direct,  # the same arrays heatnet passes to HiGHS
        new_highs,
    )

    net = load_network(args.network, args.profiles)
    hm = build_model(net)
    h = new_highs()
    h.setOptionValue("output_flag", False)
    _compile_direct(hm, h)
    out = Path(args.out)
    h.writeModel(str(out))
    out.with_suffix(".json").write_text(json.dumps({"cost_scale": hm.cost_scale}))
    return {
        "tool": "write-mps",
        "file": str(out),
        "n_cols": h.getNumCol(),
        "n_rows": h.getNumRow(),
        "n_nonzeros": h.getNumNz(),
    }


def run_highs(args: argparse.Namespace) -> dict[str, object]:
    import highspy

    path = Path(args.mps)
    scale = json.loads(path.with_suffix(".json").read_text())["cost_scale"]
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", args.mip_gap)
    if args.time_limit:
        h.setOptionValue("time_limit", args.time_limit)
    h.readModel(str(path))
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    has = info.primal_solution_status == 2
    return {
        "tool": "highs",
        "mode": "full MILP from MPS",
        "status": status,
        "objective_cny": info.objective_function_value / scale if has else None,
        "bound_cny": info.mip_dual_bound / scale,
        "gap": info.mip_gap,
        "handoff_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": h.getNumCol(),
        "n_rows": h.getNumRow(),
        "n_nonzeros": h.getNumNz(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="one benchmark case")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("heatnet")
    a.add_argument("network")
    a.add_argument("--profiles")
    a.add_argument("--mode", choices=["auto", "single", "two"], default="auto")
    a.add_argument("--typical-days", type=int)
    a.add_argument(
        "--security",
        default="network",
        help="network (the folder's block), none (drop it), or A[:I], a served share A (and "
        "intact share I, default 1) for a block with auto contingencies (e.g. 0.4:0.8)",
    )
    b = sub.add_parser("write-mps")
    b.add_argument("network")
    b.add_argument("out")
    b.add_argument("--profiles")
    c = sub.add_parser("highs")
    c.add_argument("mps")
    for p in (a, c):
        p.add_argument("--mip-gap", type=float, default=1e-4)
        p.add_argument("--time-limit", type=float)
    args = ap.parse_args()
    fn = {"heatnet": run_heatnet, "write-mps": write_mps, "highs": run_highs}[args.cmd]
    print(json.dumps(fn(args)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
