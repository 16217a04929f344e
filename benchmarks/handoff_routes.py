"""How fast does the model reach HiGHS? Every route on the same model, each in a fresh process.

    python benchmarks/handoff_routes.py [--profiles demand_profiles/jinan_hourly.csv] [--out DIR]

Routes (the model is the Jinan network's full-resolution MILP; nothing is solved):

* ``direct``: heatnet's column/row arrays → one CSC matrix → ``Highs.passModel`` (the default);
* ``standard_form``: the same model as Pyomo objects → Pyomo's ``LinearStandardFormCompiler``
  → ``passModel``;
* ``lp_file``: Pyomo objects → LP file → ``Highs.readModel``;
* ``appsi``: Pyomo objects → Pyomo's persistent HiGHS interface (``appsi_highs``
  ``set_instance``), the route for re-solve loops;
* ``mps_read``: HiGHS reading the same model from an MPS file (the floor for any file route).

Writes ``handoff_routes.csv`` and ``handoff_routes.md`` to ``--out`` (default benchmarks/out).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _rss import peak_rss_mb  # benchmarks/ is on sys.path: scripts run from it

ROOT = Path(__file__).resolve().parents[1]
ROUTES = ("direct", "standard_form", "lp_file", "appsi", "mps_read")


def one(route: str, profiles: str | None, mps: str) -> dict[str, object]:
    """Measure one route in this process."""
    t0 = time.perf_counter()
    from heatnet.io import load_network
    from heatnet.model import build_model
    from heatnet.solve import _compile_direct, _compile_lp_file, _compile_standard_form, new_highs

    net = load_network(None, profiles)
    t1 = time.perf_counter()
    hm = build_model(net)
    t2 = time.perf_counter()
    pyomo_s = 0.0
    h = new_highs()
    h.setOptionValue("output_flag", False)
    if route in ("standard_form", "lp_file", "appsi"):
        _ = hm.m  # build the Pyomo objects
        pyomo_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    if route == "direct":
        _compile_direct(hm, h)
    elif route == "standard_form":
        _compile_standard_form(hm, h)
    elif route == "lp_file":
        _compile_lp_file(hm, h)
    elif route == "appsi":
        from pyomo.contrib.appsi.solvers.highs import Highs as AppsiHighs

        opt = AppsiHighs()
        opt.set_instance(hm.m)
        h = opt._solver_model
    elif route == "mps_read":
        h.readModel(mps)
    t4 = time.perf_counter()
    return {
        "route": route,
        "load_s": t1 - t0,
        "build_s": t2 - t1,
        "pyomo_objects_s": pyomo_s,
        "handoff_s": t4 - t3,
        "build_plus_handoff_s": (t4 - t1),
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": h.getNumCol(),
        "n_rows": h.getNumRow(),
        "n_nonzeros": h.getNumNz(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", default=str(ROOT / "demand_profiles" / "jinan_hourly.csv"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    ap.add_argument("--route", help=argparse.SUPPRESS)
    ap.add_argument("--mps", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.route:  # child process
        print(json.dumps(one(args.route, args.profiles, args.mps)))
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        mps = str(Path(tmp) / "jinan.mps")
        code = (
            "from heatnet.io import load_network; from heatnet.model import build_model;"
            "from heatnet.solve import _compile_direct, new_highs;"
            f"h = new_highs(); h.setOptionValue('output_flag', False);"
            f"_compile_direct(build_model(load_network(None, {args.profiles!r})), h);"
            f"h.writeModel({mps!r})"
        )
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        rows = []
        for route in ROUTES:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--route",
                    route,
                    "--profiles",
                    args.profiles,
                    "--mps",
                    mps,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
    import pandas as pd

    df = pd.DataFrame(rows)
    df.to_csv(out / "handoff_routes.csv", index=False)
    lines = [
        "| route | Pyomo objects s | hand-off s | build + hand-off s | peak RSS MB | "
        "columns | rows | nonzeros |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['route']} | {r['pyomo_objects_s']:.2f} | {r['handoff_s']:.2f} | "
            f"{r['build_plus_handoff_s']:.2f} | {r['peak_rss_mb']:,.0f} | "
            f"{r['n_cols']:,} | {r['n_rows']:,} | {r['n_nonzeros']:,} |"
        )
    (out / "handoff_routes.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
