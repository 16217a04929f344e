"""heatnet's speed and scale benchmark: one command, a CSV and a Markdown table.

    python benchmarks/run.py            # the full grid (long: about two hours on 2 cores)
    python benchmarks/run.py --quick    # a sanity subset (a few minutes)
    python benchmarks/run.py --no-pypsa # without the PyPSA comparison

Cases (every case runs in a fresh process, so its peak memory is its own; a watchdog stops a
case whose resident memory passes ``--memory-limit-gb``):

* the Jinan network, daily season (121 periods) and hourly season (2,904 periods);
* synthetic cities (``heatnet.generate``, seed 0) of N = 25, 100, 400, 1,000 districts with
  T = 288 periods (12 typical days of the Jinan season) and T = 2,904 (the hourly season).

Tools, side by side on the same network and data:

* ``heatnet``: ``heatnet.solve`` end to end in its default mode (two-stage for the hourly
  season, one MILP otherwise), and for the hourly Jinan season also the full hourly MILP
  (``--single-stage``), whose optimum the two-stage answer is measured against;
* ``highs``: HiGHS alone reading heatnet's full-resolution MILP from an MPS file (the solver's
  own time and memory on that model);
* ``pypsa``: PyPSA 1.4 with linopy and HiGHS (``benchmarks/pypsa_case.py``, in the benchmark
  venv ``.venv-bench``, created on first use), retirable and candidate units as modular
  extendable components.

A case that cannot fit is not run: the table says "not run" with the memory estimated from the
model's size and the bytes per nonzero measured on the smaller cases. Results go to
``benchmarks/out/results.csv`` and ``benchmarks/out/results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
VENV = ROOT / ".venv-bench"
PYPSA_PINS = ["pypsa==1.4.0", "linopy==0.10.1"]
HOURLY = ROOT / "demand_profiles" / "jinan_hourly.csv"


@dataclass
class Case:
    """One benchmark case: a network at a resolution, solved by one tool."""

    network: str  # label, e.g. "jinan" or "city100"
    districts: int
    periods: int
    tool: str  # heatnet, heatnet_milp, highs, pypsa
    folder: Path | None = None
    mip_gap: float = 1e-4
    time_limit_s: float | None = None
    result: dict[str, object] = field(default_factory=dict)


def bench_python() -> Path:
    """The Python of ``.venv-bench`` (PyPSA), created and filled on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} (PyPSA for the comparison) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-e", str(ROOT), *PYPSA_PINS], check=True
        )
    return python


def run_process(cmd: list[str], limit_gb: float, timeout_s: float) -> dict[str, object]:
    """Run a case command; return its JSON line, or a failure record (memory, time, error)."""
    import psutil

    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    peak = [0.0]
    killed: list[str] = []

    def watch() -> None:
        p = psutil.Process(proc.pid)
        start = time.monotonic()
        while proc.poll() is None:
            try:
                rss = sum(c.memory_info().rss for c in [p, *p.children(recursive=True)])
            except psutil.Error:
                break
            peak[0] = max(peak[0], rss / 2**20)
            if rss > limit_gb * 2**30:
                killed.append(f"stopped: resident memory above {limit_gb:g} GB")
                proc.kill()
            elif time.monotonic() - start > timeout_s:
                killed.append(f"stopped: over {timeout_s:.0f} s")
                proc.kill()
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    watcher.join()
    if killed:
        return {"status": killed[0], "peak_rss_mb": peak[0]}
    lines = [ln for ln in out.strip().splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (err.strip().splitlines() or ["no output"])[-1]
        return {"status": f"failed: {tail[:120]}", "peak_rss_mb": peak[0]}
    return json.loads(lines[-1])


def prepare_networks(
    out: Path, sizes: list[int], periods: list[int]
) -> dict[tuple[str, int], Path]:
    """Network folders for every (network, periods): Jinan and the synthetic cities."""
    from heatnet.generate import write_city
    from heatnet.io import load_network, write_network

    folders: dict[tuple[str, int], Path] = {}
    root = out / "networks"
    root.mkdir(parents=True, exist_ok=True)
    folders[("jinan", 121)] = ROOT / "networks" / "jinan"
    hourly = root / "jinan_hourly"
    if not hourly.exists():
        write_network(load_network(None, HOURLY), hourly)
    folders[("jinan", 2904)] = hourly
    for n in sizes:
        for t in periods:
            folder = root / f"city{n}_T{t}"
            if not folder.exists():
                write_city(folder, n, seed=0, resolution="hourly" if t == 2904 else "typical")
            folders[(f"city{n}", t)] = folder
    return folders


def model_size(folder: Path) -> dict[str, int]:
    """Columns, rows and nonzeros of a network's full-resolution model, from one day's model
    scaled to the season (cheap for the largest cities)."""
    from heatnet.io import load_network
    from heatnet.model import build_model

    net = load_network(folder)
    T = net.n_periods
    day = net.replace(profiles=net.profiles.iloc[:24].reset_index(drop=True))
    lp = build_model(day).lp
    per = lambda x: round(x / 24 * T)  # noqa: E731
    return {"n_cols": per(lp.n_cols), "n_rows": per(lp.n_rows), "n_nonzeros": per(lp.n_nonzeros)}


def cases_for(quick: bool, pypsa: bool) -> tuple[list[int], list[int], list[Case]]:
    sizes = [25] if quick else [25, 100, 400, 1000]
    periods = [288, 2904]
    cases: list[Case] = []
    tools = ["heatnet", "highs"] + (["pypsa"] if pypsa else [])
    cases += [Case("jinan", 7, 121, tool) for tool in tools]
    if not quick:
        cases += [
            Case("jinan", 7, 2904, tool)
            for tool in ["heatnet", "heatnet_milp", "highs"] + (["pypsa"] if pypsa else [])
        ]
    for n in sizes:
        gap = 1e-3 if n <= 100 else 1e-2
        limit = 600.0
        for t in periods:
            full_tools = tools if t == 288 else ["heatnet", "heatnet_milp", *tools[1:]]
            for tool in full_tools:
                cases.append(Case(f"city{n}", n, t, tool, mip_gap=gap, time_limit_s=limit))
    return sizes, periods, cases


def command(case: Case, mps_dir: Path, python_bench: Path | None) -> list[str] | None:
    py = sys.executable
    gap = ["--mip-gap", str(case.mip_gap)]
    limit = ["--time-limit", str(case.time_limit_s)] if case.time_limit_s else []
    folder = str(case.folder)
    if case.tool == "heatnet":
        return [py, str(BENCH / "case.py"), "heatnet", folder, *gap, *limit]
    if case.tool == "heatnet_milp":
        return [py, str(BENCH / "case.py"), "heatnet", folder, "--mode", "single", *gap, *limit]
    if case.tool == "highs":
        mps = mps_dir / f"{case.network}_T{case.periods}.mps"
        if not mps.exists():
            subprocess.run(
                [py, str(BENCH / "case.py"), "write-mps", folder, str(mps)],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
        return [py, str(BENCH / "case.py"), "highs", str(mps), *gap, *limit]
    if case.tool == "pypsa" and python_bench is not None:
        return [str(python_bench), str(BENCH / "pypsa_case.py"), folder, *gap, *limit]
    return None


# bytes per nonzero measured on this machine (peak RSS / nonzeros of the full-resolution model):
# updated from the cases that ran, these defaults are only used before any case has run
DEFAULT_MB_PER_MNZ = {"heatnet": 1500.0, "heatnet_milp": 5000.0, "highs": 5000.0, "pypsa": 8000.0}


BASE_MB = 150.0  # a Python process with numpy, pandas and highspy loaded


def estimate_gb(
    case: Case, size: dict[str, int], measured: dict[str, list[tuple[int, float]]]
) -> float:
    """Peak memory of a case [GB]: nonzeros × the MB per million nonzeros of the largest case
    of the same tool that ran (above a fixed base), or a default before any has."""
    runs = measured.get(case.tool)
    if runs:
        nnz, rss = max(runs)
        mb_per_mnz = max(rss - BASE_MB, 0.0) / (nnz / 1e6)
    else:
        mb_per_mnz = DEFAULT_MB_PER_MNZ[case.tool]
    return (BASE_MB + size["n_nonzeros"] / 1e6 * mb_per_mnz) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a few-minute subset")
    ap.add_argument("--no-pypsa", action="store_true", help="skip the PyPSA comparison")
    ap.add_argument("--out", default=str(BENCH / "out"), help="output folder")
    ap.add_argument(
        "--memory-limit-gb",
        type=float,
        default=20.0,
        help="stop a case above this resident memory, and do not start one estimated above it",
    )
    ap.add_argument("--only", help="run only cases whose network label contains this text")
    ap.add_argument("--tools", help="run only these tools (comma-separated, e.g. heatnet)")
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of an earlier results.csv in --out, replacing those run again",
    )
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    python_bench = None if args.no_pypsa else bench_python()
    sizes, periods, cases = cases_for(args.quick, python_bench is not None)
    if args.only:
        cases = [c for c in cases if args.only in c.network]
    if args.tools:
        wanted = set(args.tools.split(","))
        cases = [c for c in cases if c.tool in wanted]
    earlier = _earlier_rows(out) if args.merge else []
    folders = prepare_networks(out, sizes, periods)
    mps_dir = out / "mps"
    mps_dir.mkdir(exist_ok=True)
    measured: dict[str, list[tuple[int, float]]] = {}
    sizes_of: dict[Path, dict[str, int]] = {}
    results = []
    for case in cases:
        case.folder = folders[(case.network, case.periods)]
        size = sizes_of.setdefault(case.folder, model_size(case.folder))
        est = estimate_gb(case, size, measured)
        full_hourly_milp = case.periods == 2904 and case.tool != "heatnet" and case.districts >= 100
        row: dict[str, object] = {
            "network": case.network,
            "districts": case.districts,
            "periods": case.periods,
            "tool": case.tool,
            "mip_gap_requested": case.mip_gap,
            "time_limit_s": case.time_limit_s,
            "model_nonzeros": size["n_nonzeros"],
            "estimated_gb": round(est, 1),
        }
        if est > args.memory_limit_gb:
            row["status"] = f"not run: estimated {est:.0f} GB > {args.memory_limit_gb:g} GB"
        elif full_hourly_milp:
            row["status"] = (
                f"not run (time budget): full hourly MILP of "
                f"{size['n_nonzeros'] / 1e6:.1f} M nonzeros, estimated {est:.0f} GB"
            )
        else:
            cmd = command(case, mps_dir, python_bench)
            if cmd is None:
                continue
            print(f"{case.network} T={case.periods} {case.tool} ...", flush=True)
            timeout = (case.time_limit_s or 3600.0) * 3 + 300.0
            t0 = time.perf_counter()
            res = run_process(cmd, args.memory_limit_gb, timeout)
            row["wall_s"] = time.perf_counter() - t0
            row.update(res)
            row["tool"] = case.tool
            rss = res.get("peak_rss_mb")
            if isinstance(rss, float) and res.get("objective_cny") and size["n_nonzeros"]:
                measured.setdefault(case.tool, []).append((size["n_nonzeros"], rss))
        print(
            "   ",
            {k: row.get(k) for k in ("status", "objective_cny", "total_s", "peak_rss_mb")},
            flush=True,
        )
        results.append(row)
        write_outputs(_merged(earlier, results), out)
    write_outputs(_merged(earlier, results), out)


def _earlier_rows(out: Path) -> list[dict[str, object]]:
    import pandas as pd

    path = out / "results.csv"
    return pd.read_csv(path).to_dict("records") if path.exists() else []


def _merged(
    earlier: list[dict[str, object]], new: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Earlier rows in their order, each replaced by a new row of the same case; new cases
    after them."""
    key = lambda r: (r["network"], int(r["periods"]), r["tool"])  # noqa: E731
    fresh = {key(r): r for r in new}
    rows = [fresh.pop(key(r), r) for r in earlier]
    return rows + [r for r in new if key(r) in fresh]


def machine() -> str:
    import highspy  # noqa: F401
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib import metadata

    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("highspy", "pyomo", "pandas"))
    return (
        f"{cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, {versions}"
    )


def write_outputs(rows: list[dict[str, object]], out: Path) -> None:
    import pandas as pd

    df = pd.DataFrame(rows)
    df.to_csv(out / "results.csv", index=False)
    (out / "results.md").write_text(markdown(df), encoding="utf-8")


def _f(x: object, fmt: str) -> str:
    try:
        if x is None or (isinstance(x, float) and x != x):
            return "–"
        return format(float(x), fmt)
    except (TypeError, ValueError):
        return "–"


def markdown(df: object) -> str:
    """The results as Markdown: one row per case, then whether the optima agree."""
    import pandas as pd

    assert isinstance(df, pd.DataFrame)
    lines = [
        f"Machine: {machine()}",
        "",
        "| network | T | tool | mode | status | build s | hand-off s | solve s | total s "
        "| peak RSS GB | objective M CNY | gap |",
        "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in df.iterrows():
        gap = r.get("gap")
        mode = r.get("mode")
        mode = "" if not isinstance(mode, str) else mode
        if r.get("aggregation") == "time_slices" and pd.notna(r.get("time_slices")):
            k, rounds = int(r["time_slices"]), int(r["design_rounds"])
            mode += f" ({k} time slices, {rounds} rounds)"
        gap_text = f"{gap * 100:.3f} %" if isinstance(gap, float) and gap == gap else "–"
        lines.append(
            f"| {r['network']} | {r['periods']} | {r['tool']} | {mode} "
            f"| {r.get('status', '')} | {_f(r.get('build_s'), '.2f')} "
            f"| {_f(r.get('handoff_s'), '.2f')} | {_f(r.get('solve_s'), '.1f')} "
            f"| {_f(r.get('total_s'), '.1f')} | {_f((r.get('peak_rss_mb') or 0) / 1024, '.2f')} "
            f"| {_f((r.get('objective_cny') or float('nan')) / 1e6, ',.2f')} "
            f"| {gap_text} |"
        )
    lines += [
        "",
        "Optima compared (relative difference; 'agree' when within the sum of the "
        "two solves' proven gaps):",
        "",
        "| network | T | a | b | objective a | objective b | difference | agree |",
        "|---|---:|---|---|---:|---:|---:|---|",
    ]
    for (net, t), g in df.groupby(["network", "periods"], sort=False):
        got = {r["tool"]: r for _, r in g.iterrows() if pd.notna(r.get("objective_cny"))}
        ref = "heatnet_milp" if "heatnet_milp" in got else "heatnet"
        for other in ("highs", "pypsa", "heatnet"):
            if other == ref or other not in got or ref not in got:
                continue
            a, b = float(got[ref]["objective_cny"]), float(got[other]["objective_cny"])
            diff = abs(a - b) / max(abs(a), abs(b))
            ga = float(got[ref].get("gap") or 0.0)
            gb = float(got[other].get("gap") or 0.0) if pd.notna(got[other].get("gap")) else 0.0
            if max(ga, gb) > 0.5:
                ok = "not comparable: no useful bound (gap > 50 %)"
            else:
                ok = "yes" if diff <= ga + gb + 1e-6 else "no"
            lines.append(
                f"| {net} | {t} | {ref} | {other} | {a / 1e6:,.3f} | {b / 1e6:,.3f} "
                f"| {diff * 100:.4f} % | {ok} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
