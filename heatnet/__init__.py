"""heatnet: a district-heating network optimiser.

Load a network folder, solve the retirement-and-routing MILP with HiGHS, and read the results
as pandas tables::

    import heatnet
    net = heatnet.load_network()          # the embedded Jinan network
"""

from heatnet.errors import HeatnetError, InputError, Problem
from heatnet.io import load_network, read_network, write_network
from heatnet.network import Economics, Network
from heatnet.options import SolveOptions
from heatnet.run import solve
from heatnet.solve import SolveResult, Status
from heatnet.storage import Run, StoredRun, read_run

__all__ = [
    "Economics",
    "HeatnetError",
    "InputError",
    "Network",
    "Problem",
    "Run",
    "SolveOptions",
    "SolveResult",
    "Status",
    "StoredRun",
    "load_network",
    "read_network",
    "read_run",
    "solve",
    "write_network",
]

__version__ = "0.1.0"
