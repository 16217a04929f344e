"""Peak memory of a benchmark process, without importing anything heavy (so that HiGHS alone
is measured alone). The package's own ``heatnet.solve.peak_rss_mb`` imports heatnet."""

from __future__ import annotations


def peak_rss_mb() -> float:
    """Peak resident memory of this process [MB]: VmHWM, which (unlike ru_maxrss) does not
    count the parent's memory at fork."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024.0
    return 0.0
