"""The network format as data: one schema table per file.

These tables drive loading (types, defaults), validation (required columns, ranges, choices) and
the format documentation (``docs/format.md`` is generated from them by :func:`format_markdown`).
They follow ``spec/network-format.md`` (v1); heatnet's extensions are marked as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from heatnet.errors import InputError, Problem
from heatnet.geo import ROUTE_END_TOLERANCE_M

DType = Literal["text", "float", "bool"]

TECHNOLOGIES: tuple[str, ...] = (
    "waste_heat",
    "chp",
    "coal_boiler",
    "gas_boiler",
    "heat_pump",
    "electric_boiler",
    "geothermal",
    "other",
)
SOURCE_STATUSES: tuple[str, ...] = (
    "existing",
    "retirable",
    "candidate",
    "committed",
    "retired",
    "unavailable",
)
PIPE_STATUSES: tuple[str, ...] = ("existing", "candidate", "committed", "unavailable")
LIVE_PIPE_STATUSES: tuple[str, ...] = tuple(s for s in PIPE_STATUSES if s != "unavailable")
"""Pipes that are in the model (carry heat, if built)."""
ACTIVE_SOURCE_STATUSES: tuple[str, ...] = ("existing", "retirable", "candidate", "committed")
"""Sources that are in the model (may produce heat, if kept or built)."""
DECISION_SOURCE_STATUSES: tuple[str, ...] = ("retirable", "candidate")
"""Sources with a yes/no decision (keep or build)."""
BUILD_STATUSES: tuple[str, ...] = ("candidate", "committed")
"""Sources and pipes whose capex counts when they are built: a candidate the optimiser builds,
and a committed one (built by the planner's or a scenario's choice, capex paid all the same)."""
IN_SERVICE_STATUSES: tuple[str, ...] = ("existing", "committed")
"""Sources and pipes in service without a decision."""

DECISIONS: dict[str, str] = {
    "kept": "retirable source kept by the optimiser",
    "retired": "retirable source retired by the optimiser (retirement cost paid)",
    "forced_kept": "kept by a scenario: status existing in this plan, retirable or a "
    "candidate in another plan of the same network (comparisons only)",
    "forced_retired": "status retired: no output, retirement cost paid",
    "built": "candidate built by the optimiser (capex paid)",
    "not_built": "candidate left unbuilt by the optimiser",
    "forced_built": "status committed: built by the planner's or a scenario's choice "
    "(capex and fixed cost paid as for a built candidate)",
    "existing": "status existing: in service, no decision, no capex",
    "unavailable": "status unavailable: left out of the model",
}
"""Every value of the result tables' and the comparison's ``decision`` columns, with its
meaning: the one list that the tables, the comparison and the figures draw from."""
SOURCE_DECISIONS: tuple[str, ...] = tuple(DECISIONS)
"""Decisions a source can have."""
PIPE_DECISIONS: tuple[str, ...] = ("built", "not_built", "forced_built", "existing", "unavailable")
"""Decisions a pipe can have."""
DECISION_BY_STATUS: dict[str, str] = {
    "existing": "existing",
    "committed": "forced_built",
    "retired": "forced_retired",
    "unavailable": "unavailable",
}
"""The decision of a source or pipe whose status leaves no choice to the optimiser."""

#: Largest size of any number heatnet reads (MW, CNY, h, tCO2 …): larger values are beyond any
#: real network and reach HiGHS's "infinite" (1e20) once multiplied by hours and prices.
MAX_MAGNITUDE = 1e12
TOO_LARGE_HINT = (
    "Numbers this large are beyond any real network and make the solver's "
    "arithmetic unreliable; check the unit and the number of zeros"
)


@dataclass(frozen=True)
class Column:
    """One column of a network CSV file (or one key of ``network.yaml``).

    Attributes:
        name: column name, with its unit as suffix (``_mw``, ``_cny`` …).
        dtype: ``text``, ``float`` or ``bool``.
        unit: unit in words for the docs (empty for text).
        required: a value must be given in every row.
        default: value used when the column is absent or the cell is empty.
        meaning: one-line explanation for planners.
        minimum: lowest allowed value (floats).
        strict_minimum: ``True`` if the minimum itself is not allowed (``> 0``).
        maximum: highest allowed value (floats), inclusive unless ``strict_maximum``.
        strict_maximum: ``True`` if the maximum itself is not allowed.
        choices: allowed text values.
        applies_to: which rows the column matters for (docs only).
        extension: ``True`` if heatnet offers this beyond spec v1.
        valid: valid values in words, when the type alone does not say (``auto`` or a list).
    """

    name: str
    dtype: DType
    unit: str = ""
    required: bool = False
    default: Any = None
    meaning: str = ""
    minimum: float | None = None
    strict_minimum: bool = False
    maximum: float | None = None
    strict_maximum: bool = False
    choices: tuple[str, ...] | None = None
    applies_to: str = ""
    extension: bool = False
    valid: str = ""

    def in_range(self, value: float) -> bool:
        """True if a finite ``value`` respects the column's minimum and maximum."""
        if self.minimum is not None and (
            value < self.minimum or (self.strict_minimum and value == self.minimum)
        ):
            return False
        return self.maximum is None or not (
            value > self.maximum or (self.strict_maximum and value == self.maximum)
        )

    def expected(self) -> str:
        """Human description of a valid value, used in error messages and docs."""
        if self.valid:
            return self.valid
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.dtype == "bool":
            return "true or false"
        if self.dtype == "text":
            return "a non-empty text" if self.required else "a text"
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.strict_minimum else '>='} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.strict_maximum else '<='} {self.maximum:g}")
        rng = " and ".join(parts)
        return f"a finite number {rng}".rstrip() if rng else "a finite number"


#: A unit of the format as a whole ``_``-separated word after the first (``co2_t_per_mwh``,
#: ``fuel_cost_cny``, ``age_years``; not ``supply_temp`` or ``t_supply``), or ``_per_``: a column
#: named like this is meant as data, so an unknown one is an error, not a note.
UNIT_IN_NAME = re.compile(r"_(?:cny|mwh?|t|km|years?)(?:_|$)|_per_", re.IGNORECASE)

NOTE_PREFIX = "note_"
"""A column whose name starts with this is a note whatever else its name says
(``note_tunnel_km``): the way to keep a figure with a unit that heatnet does not read."""


def has_unit(name: str) -> bool:
    """True if a column name carries a unit of the format (see :data:`UNIT_IN_NAME`)."""
    return UNIT_IN_NAME.search(name) is not None


@dataclass(frozen=True)
class TableSchema:
    """Schema of one CSV file of a network folder.

    Other columns of the file are notes, kept and carried into the results, unless they look
    like a misspelt column of the table or carry a unit (:func:`has_unit`): those are errors.
    A column named ``note_…`` (:data:`NOTE_PREFIX`) is always a note.

    Attributes:
        file: file name (``sources.csv``).
        columns: the columns heatnet reads.
        meaning: one-line description for the docs.
        id_column: the column that identifies a row, if any.
        named_columns: other columns are data named by the user (the profiles), not notes.
    """

    file: str
    columns: tuple[Column, ...]
    meaning: str
    id_column: str | None = "id"
    named_columns: bool = False

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if the schema has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in schema order."""
        return tuple(c.name for c in self.columns)


NODES = TableSchema(
    file="nodes.csv",
    meaning="Places: sources, demand districts, junctions, pump/relay stations.",
    columns=(
        Column("id", "text", required=True, meaning="unique node id"),
        Column("name", "text", default="", meaning="display name (any text; empty = the id)"),
        Column(
            "short_name",
            "text",
            default="",
            meaning="short display name for figure labels (display only; empty = the name)",
        ),
        Column(
            "lat",
            "float",
            "degrees north (WGS84)",
            minimum=-90,
            maximum=90,
            meaning="latitude; optional, needed for maps",
        ),
        Column(
            "lon",
            "float",
            "degrees east (WGS84)",
            minimum=-180,
            maximum=180,
            meaning="longitude; optional, needed for maps",
        ),
    ),
)

SOURCES = TableSchema(
    file="sources.csv",
    meaning="Heat sources, each at a node.",
    columns=(
        Column("id", "text", required=True, meaning="unique source id"),
        Column("node", "text", required=True, meaning="id of the node the source feeds"),
        Column("technology", "text", required=True, choices=TECHNOLOGIES, meaning="kind of plant"),
        Column(
            "capacity_mw",
            "float",
            "MW",
            required=True,
            minimum=0,
            strict_minimum=True,
            meaning="maximum heat output",
        ),
        Column(
            "status",
            "text",
            required=True,
            choices=SOURCE_STATUSES,
            meaning="existing (always available), retirable (the optimiser may retire it), "
            "candidate (the optimiser may build it); heatnet extensions: committed (built "
            "without a decision, capex and fixed cost paid as for a built candidate), retired "
            "(forced retirement: no output, retirement cost paid), unavailable (left out)",
        ),
        Column(
            "variable_cost_cny_per_mwh",
            "float",
            "CNY/MWh",
            default=0.0,
            meaning="fuel and variable O&M per MWh of heat",
        ),
        Column(
            "co2_t_per_mwh",
            "float",
            "tCO2/MWh",
            default=0.0,
            minimum=0,
            meaning="emissions per MWh of heat",
        ),
        Column(
            "fixed_cost_cny_per_year",
            "float",
            "CNY/year",
            default=0.0,
            minimum=0,
            meaning="paid while the source is in service (existing, kept, built or committed)",
        ),
        Column(
            "retirement_cost_cny",
            "float",
            "CNY",
            default=0.0,
            minimum=0,
            applies_to="retirable",
            meaning="one-off cost of retiring",
        ),
        Column(
            "capex_cny",
            "float",
            "CNY",
            default=0.0,
            minimum=0,
            applies_to="candidate and committed",
            meaning="one-off build cost",
        ),
        Column(
            "lifetime_years",
            "float",
            "years",
            default=25.0,
            minimum=0,
            strict_minimum=True,
            applies_to="candidate and committed",
            meaning="lifetime over which capex is annualised",
        ),
        Column(
            "availability",
            "text",
            default="",
            meaning="name of a profile column giving the per-unit available capacity; empty = 1",
        ),
        Column(
            "short_name",
            "text",
            default="",
            meaning="short display name for figure labels (display only; empty = the name "
            "column, a note, or the id)",
        ),
        Column(
            "earliest_year",
            "float",
            "year",
            default=None,
            meaning="pathway: the first season the source can serve: a candidate cannot be "
            "built before it, an existing or committed source (a plant under construction) "
            "does not exist and carries no fixed cost before it; not on a retirable source; "
            "empty = from the first year; ignored without a pathway block",
            valid="empty, or a whole year such as 2027 (not on a retirable source)",
            extension=True,
        ),
        Column(
            "retire_by",
            "float",
            "year",
            default=None,
            applies_to="retirable",
            meaning="pathway: a policy deadline: the source must be retired from this season "
            "on; empty = no deadline; ignored without a pathway block",
            valid="empty, or a whole year within pathway.years, on a retirable source",
            extension=True,
        ),
    ),
)

PIPES = TableSchema(
    file="pipes.csv",
    meaning="Pipelines between nodes, existing or candidate.",
    columns=(
        Column("id", "text", required=True, meaning="unique pipe id"),
        Column("from_node", "text", required=True, meaning="node id at the start"),
        Column("to_node", "text", required=True, meaning="node id at the end (not from_node)"),
        Column(
            "length_km",
            "float",
            "km",
            required=True,
            minimum=0,
            strict_minimum=True,
            meaning="route length",
        ),
        Column(
            "capacity_mw",
            "float",
            "MW",
            required=True,
            minimum=0,
            strict_minimum=True,
            meaning="maximum heat flow entering the pipe",
        ),
        Column(
            "status",
            "text",
            required=True,
            choices=PIPE_STATUSES,
            meaning="existing or candidate; heatnet extensions: committed (built without a "
            "decision, capex paid as for a built candidate), unavailable (left out)",
        ),
        Column(
            "bidirectional",
            "bool",
            default=True,
            meaning="true: heat may flow either way (capacity shared)",
        ),
        Column(
            "loss_fraction_per_km",
            "float",
            "1/km",
            default=0.0,
            minimum=0,
            maximum=1,
            strict_maximum=True,
            meaning="share of the entering heat lost per km; "
            "1 - loss_fraction_per_km * length_km must stay > 0",
        ),
        Column(
            "pumping_cost_cny_per_mwh",
            "float",
            "CNY/MWh",
            default=0.0,
            minimum=0,
            meaning="cost per MWh entering the pipe (pumping electricity)",
        ),
        Column(
            "capex_cny",
            "float",
            "CNY",
            default=0.0,
            minimum=0,
            applies_to="candidate and committed",
            meaning="one-off build cost",
        ),
        Column(
            "lifetime_years",
            "float",
            "years",
            default=40.0,
            minimum=0,
            strict_minimum=True,
            applies_to="candidate and committed",
            meaning="lifetime over which capex is annualised",
        ),
        Column(
            "route_wkt",
            "text",
            default="",
            meaning="the pipe's real route for maps and GIS files (display only: the model "
            "uses length_km); empty = a straight line between its nodes",
            valid="empty, or a WKT LINESTRING (lon lat, lon lat, …) in WGS84 degrees with at "
            f"least 2 points, starting within {ROUTE_END_TOLERANCE_M:g} m of from_node and "
            f"ending within {ROUTE_END_TOLERANCE_M:g} m of to_node",
            extension=True,
        ),
        Column(
            "earliest_year",
            "float",
            "year",
            default=None,
            meaning="pathway: the first season the pipe can carry heat: a candidate cannot be "
            "built before it, an existing or committed pipe does not exist before it; empty = "
            "from the first year; ignored without a pathway block",
            valid="empty, or a whole year such as 2027",
            extension=True,
        ),
    ),
)

DEMANDS = TableSchema(
    file="demands.csv",
    meaning="Heat demands, each at a node.",
    columns=(
        Column("id", "text", required=True, meaning="unique demand id"),
        Column("node", "text", required=True, meaning="id of the node where heat is needed"),
        Column(
            "design_load_mw",
            "float",
            "MW",
            required=True,
            minimum=0,
            meaning="heat load at profile value 1.0",
        ),
        Column("profile", "text", required=True, meaning="name of a profile column"),
    ),
)

PROFILES = TableSchema(
    file="(profiles CSV)",
    id_column=None,
    named_columns=True,
    meaning="One row per period t, in order; any number of named per-unit profile columns "
    "(floats >= 0) follow the two fixed columns.",
    columns=(
        Column("period", "text", required=True, meaning="label or timestamp of the period"),
        Column(
            "weight_h",
            "float",
            "h",
            required=True,
            minimum=0,
            strict_minimum=True,
            meaning="hours this row stands for",
        ),
    ),
)

TABLES: tuple[TableSchema, ...] = (NODES, SOURCES, PIPES, DEMANDS)

NETWORK_YAML: tuple[Column, ...] = (
    Column("name", "text", required=True, meaning="network name"),
    Column("description", "text", default="", meaning="free text"),
    Column(
        "profiles",
        "text",
        required=True,
        meaning="path to the time-series CSV, relative to network.yaml",
    ),
)

ECONOMICS: tuple[Column, ...] = (
    Column(
        "discount_rate",
        "float",
        "1/year",
        default=0.06,
        minimum=0,
        meaning="for annualising one-off costs",
    ),
    Column(
        "carbon_price_cny_per_t",
        "float",
        "CNY/tCO2",
        default=0.0,
        minimum=0,
        meaning="price on every tonne emitted",
    ),
    Column(
        "co2_cap_t",
        "float",
        "tCO2/season",
        default=None,
        minimum=0,
        meaning="cap on season emissions; absent or null = no cap",
    ),
    Column(
        "unserved_heat_cost_cny_per_mwh",
        "float",
        "CNY/MWh",
        default=20000.0,
        minimum=0,
        meaning="penalty on heat not delivered",
    ),
    Column(
        "retirement_annualisation_years",
        "float",
        "years",
        default=20.0,
        minimum=0,
        strict_minimum=True,
        meaning="years over which a one-off retirement cost is annualised",
    ),
)


SECURITY: tuple[Column, ...] = (
    Column(
        "served_share",
        "float",
        "-",
        required=True,
        minimum=0,
        strict_minimum=True,
        maximum=1,
        meaning="α: share of each district's design-hour demand still served in every "
        "contingency (required in a security block)",
        extension=True,
    ),
    Column(
        "intact_share",
        "float",
        "-",
        default=1.0,
        minimum=0,
        strict_minimum=True,
        maximum=1,
        meaning="share of each district's design-hour demand the intact plan serves (< 1 for "
        "a cold wave beyond the design temperature)",
        extension=True,
    ),
    Column(
        "design_factor",
        "float",
        "-",
        default=1.0,
        minimum=0,
        strict_minimum=True,
        meaning="design-hour demand = design_load_mw × profile at the design period × this "
        "factor (a cold wave: > 1)",
        extension=True,
    ),
    Column(
        "contingencies",
        "text",
        default="auto",
        meaning="the single outages checked: auto (see min_length_km and min_source_mw) or a "
        "list of pipe and source ids; a retired or unavailable id is skipped with a warning",
        valid="auto, or a list of pipe and source ids such as [P1, S2]",
        extension=True,
    ),
    Column(
        "min_length_km",
        "float",
        "km",
        default=20.0,
        minimum=0,
        meaning="auto: every existing, committed or candidate pipe at least this long",
        extension=True,
    ),
    Column(
        "min_source_mw",
        "float",
        "MW",
        default=1000.0,
        minimum=0,
        meaning="auto: every existing, retirable, committed or candidate source of at least "
        "this capacity",
        extension=True,
    ),
)
"""Keys of the optional ``security:`` mapping of network.yaml (spec v1.1 §3)."""


CONSTRAINTS: tuple[Column, ...] = (
    Column(
        "capex_budget_cny",
        "float",
        "CNY",
        default=None,
        minimum=0,
        meaning="capital budget: Σ capex_cny [CNY] of every candidate source and pipe built "
        "(one-off, not annualised) ≤ this; absent or null = no budget",
        extension=True,
    ),
    Column(
        "retire_together",
        "text",
        default="",
        meaning="groups of retirable sources that close together: in each group all are "
        "retired or all kept",
        valid="a list of groups, each a list of at least 2 retirable source ids, such as "
        "[[S1, S2]]",
        extension=True,
    ),
    Column(
        "at_most_one_of",
        "text",
        default="",
        meaning="groups of competing candidates: in each group at most one is built",
        valid="a list of groups, each a list of at least 2 candidate source or pipe ids, "
        "such as [[P1, P2]]",
        extension=True,
    ),
    Column(
        "min_heat_share",
        "text",
        "-",
        default="",
        meaning="technology → least share [-] of the season's heat produced (MWh, weighted by "
        "the periods' hours): heat from that technology ≥ share × all heat produced",
        valid="a mapping of technology to a share in [0, 1], shares adding up to at most 1, "
        "such as {waste_heat: 0.6}",
        extension=True,
    ),
)
"""Keys of the optional ``constraints:`` mapping of network.yaml (spec v1.1 §5)."""

PATHWAY: tuple[Column, ...] = (
    Column(
        "years",
        "text",
        "year",
        required=True,
        meaning="the heating seasons planned, in order (2025 = the 2025–26 season); "
        "required in a pathway block",
        valid="a non-empty list of whole years, strictly increasing, such as [2025, 2026, 2027]",
        extension=True,
    ),
    Column(
        "demand_scale",
        "float",
        "-",
        default=1.0,
        minimum=0,
        strict_minimum=True,
        meaning="factor on every design_load_mw in each year",
        valid="a number > 0 (every year), or a mapping of year to a number > 0 such as "
        "{2025: 1.0, 2030: 1.15}",
        extension=True,
    ),
    Column(
        "carbon_price_cny_per_t",
        "float",
        "CNY/tCO2",
        default=None,
        minimum=0,
        meaning="price on every tonne emitted in each year; absent or null = "
        "economics.carbon_price_cny_per_t in every year",
        valid="a number >= 0 (every year), or a mapping of year to a number >= 0 such as "
        "{2025: 96, 2030: 200}",
        extension=True,
    ),
    Column(
        "co2_cap_t",
        "float",
        "tCO2/season",
        default=None,
        minimum=0,
        meaning="cap on each season's emissions: no cap before the first year named, "
        "interpolated between the years named, held after the last; absent or null = "
        "economics.co2_cap_t in every year",
        valid="a number >= 0 (every year), or a mapping of year to a number >= 0 such as "
        "{2029: 1.5e6, 2030: 1.4e6}",
        extension=True,
    ),
    Column(
        "co2_peak_year",
        "float",
        "year",
        default=None,
        meaning="carbon peaking: from this year on, a season never emits more than the one "
        "before; absent or null = no peak rule",
        valid="one of the years",
        extension=True,
    ),
)
"""Keys of the optional ``pathway:`` mapping of network.yaml (spec v1.1 §4)."""

PATHWAY_PER_YEAR: tuple[str, ...] = ("demand_scale", "carbon_price_cny_per_t", "co2_cap_t")
"""The keys of ``pathway:`` that take a value per year (a number, or a mapping of year to
value)."""


MIN_HEAT_SHARE = Column(
    "min_heat_share",
    "float",
    "-",
    minimum=0,
    maximum=1,
    meaning="least share of the season's heat produced by one technology",
)
"""One share of ``constraints.min_heat_share``."""


def _default_text(col: Column) -> str:
    if col.required:
        return "required"
    if col.default is None:
        return "empty"
    if col.default == "":
        return "empty"
    if isinstance(col.default, bool):
        return "true" if col.default else "false"
    return f"{col.default:g}" if isinstance(col.default, float) else str(col.default)


def _table_md(columns: tuple[Column, ...]) -> list[str]:
    rows = [
        "| column | type | unit | default | valid values | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for c in columns:
        meaning = c.meaning + (f" ({c.applies_to} only)" if c.applies_to else "")
        if c.extension:
            meaning += " *(heatnet extension)*"
        rows.append(
            f"| `{c.name}` | {c.dtype} | {c.unit or '–'} | {_default_text(c)} | "
            f"{c.expected()} | {meaning} |"
        )
    return rows


def _yaml_blocks_md() -> list[str]:
    """The sections of the optional blocks of network.yaml (security, constraints, pathway)."""
    return [
        "### security (an optional mapping under `security:`)",
        "",
        "Security of supply (spec v1.1 §3): every plan must still serve `served_share` of each "
        "district's design-hour demand when any one of the contingencies fails (N-1). No block "
        "(or `security: null`) = no security constraints. The design hour is the period with "
        "the largest total demand.",
        "",
        *_table_md(SECURITY),
        "",
        "Unknown keys are errors (with a did-you-mean hint). The ids of a list must be pipe or "
        "source ids of the network, each once; an id whose status is `retired` or "
        "`unavailable` has nothing left to lose and is skipped with a warning, so one list "
        "serves every scenario of a study. Scenario files may override every key "
        "(`security: null` removes the block); `heatnet solve --security-share A` sets "
        "`served_share` and `--no-security` drops the block.",
        "",
        "### constraints (an optional mapping under `constraints:`)",
        "",
        "Planners' own rules (spec v1.1 §5), for what no cost captures. Every key is optional; "
        "no block (or `constraints: null`, or an empty block) = no rules. With a pathway each "
        "rule holds in every year, and the budget covers the whole horizon (each asset's capex "
        "once).",
        "",
        *_table_md(CONSTRAINTS),
        "",
        "Unknown keys and technologies are errors (with a did-you-mean hint). A group needs at "
        "least 2 ids (a group of one says nothing), each id once in its group; an id may be in "
        "several groups (two `retire_together` groups that share an id act as one). The ids "
        "of `retire_together` must be sources with status `retirable`; those of "
        "`at_most_one_of` sources or pipes with status `candidate` (a scenario that changes "
        "such a status must also change the rule). The `min_heat_share` shares must add up to "
        "at most 1, and a technology with a share above 0 needs a source of that technology "
        "in the model. Scenario files may override every key (a list or mapping given in a "
        "scenario replaces the network's; `constraints: null` removes the block).",
        "",
        "### pathway (an optional mapping under `pathway:`)",
        "",
        "Pathway planning (spec v1.1 §4): the network is planned over a sequence of heating "
        "seasons, with decisions that cannot be undone (a retired source stays retired, a "
        "built one stays built). No block (or `pathway: null`) = one season (the model of "
        "spec §2). Each per-year key is a plain number (the same every year) or a mapping of "
        "year to value, interpolated linearly between the years it names and held flat "
        "outside them; `co2_cap_t` is the exception: no cap before the first year it names. "
        "A key the block does not give takes the `economics:` value in every year "
        "(`demand_scale`: 1).",
        "",
        "```yaml",
        "pathway:",
        "  years: [2025, 2026, 2027, 2028, 2029, 2030]",
        "  demand_scale: {2025: 1.0, 2030: 1.15}",
        "  carbon_price_cny_per_t: {2025: 96, 2030: 200}",
        "  co2_cap_t: {2029: 1.5e6, 2030: 1.4e6}",
        "  co2_peak_year: 2028",
        "```",
        "",
        *_table_md(PATHWAY),
        "",
        "Unknown keys are errors (with a did-you-mean hint). Every year a mapping names, and "
        "`co2_peak_year`, must be one of `years`; years out of order or named twice are "
        "errors. The columns `earliest_year` (sources.csv, pipes.csv) and `retire_by` "
        "(sources.csv) give each element's seasons: `earliest_year` on a retirable source, "
        "`retire_by` on anything but a retirable source (a `retire_by` column in pipes.csv "
        "too: pipes never retire), a year that is not a whole number "
        "and a `retire_by` outside the years are errors; an `earliest_year` after the last "
        "year is a warning (never available). Without a pathway block the two columns are "
        "ignored, with one warning. Scenario files may override every key (a key given "
        "replaces the network's; `pathway: null` removes the block; on a network without one "
        "the scenario must give `years`).",
        "",
    ]


def format_markdown() -> str:
    """The format reference (``docs/format.md``), generated from the schema tables."""
    out = [
        "# Network folder format",
        "",
        "<!-- generated by `heatnet format-doc` from heatnet/schema.py; do not edit by hand -->",
        "",
        "A network is a folder with `network.yaml`, `nodes.csv`, `sources.csv`, `pipes.csv` and "
        "`demands.csv`, and a profiles CSV that `network.yaml` points to. The format follows "
        "heatnet's spec v1; units are part of the column names (money CNY, power MW, energy "
        "MWh, mass tCO2, length km).",
        "",
        "CSV files are UTF-8 (with or without the byte-order mark Excel writes), comma-"
        "separated, with one header row. Empty cells take the default. Booleans are "
        "`true`/`false` (also `1`/`0`, `yes`/`no`). Columns not listed here are notes: "
        "kept unchanged, carried into the results and listed by `heatnet validate` (use "
        "them for names and sources). An unknown column that looks like a misspelt column "
        "of the file (`varible_cost_cny_per_mwh`), or that carries a unit of the format as "
        "a word of its name (`_cny`, `_mw`, `_mwh`, `_t`, `_km`, `_year`, `_years`, "
        "`_per_`), is an error with a did-you-mean hint, since heatnet would otherwise "
        "solve with the default in its place. Name a note that carries a unit `note_…` "
        "(`note_tunnel_km`).",
        "",
        "## network.yaml",
        "",
        *_table_md(NETWORK_YAML),
        "",
        "### economics (a mapping under `economics:`)",
        "",
        *_table_md(ECONOMICS),
        "",
        "Unknown keys are errors (with a did-you-mean hint).",
        "",
        *_yaml_blocks_md(),
    ]
    for table in (*TABLES, PROFILES):
        title = table.file if table is not PROFILES else "The profiles CSV"
        out += [f"## {title}", "", table.meaning, "", *_table_md(table.columns), ""]
    out += [
        "## Checks",
        "",
        "`heatnet validate` reports every problem at once, each with file, line, id, field, "
        "what was expected and what was found. Errors: missing files or columns, duplicated "
        "columns or ids, unknown node or profile references, values that are not numbers, "
        "NaN, infinite, outside the ranges above or larger than 1e12 in size, unknown status or "
        "technology, a pipe from "
        "a node to itself, pipe efficiency `1 - loss_fraction_per_km * length_km <= 0`, "
        "profile weights <= 0 or values < 0, periods whose weights add up to more than a year "
        "(8784 h), a demand whose design load times its profile's peak exceeds 1e12 MW, "
        "unknown or repeated ids in `security.contingencies`, unknown ids, ids of the wrong "
        "status, repeated ids in a group and shares over 1 in `constraints`, unknown or "
        "unordered years in `pathway` and pathway years (`earliest_year`, `retire_by`) that "
        "are not whole numbers, on the wrong status or outside the years, and demand "
        "nodes that no source can reach "
        "through the pipes (direction respected). Warnings: available capacity below peak "
        "demand (unserved heat is priced, so the model still solves), costs on rows where "
        "they never apply (capex on an existing pipe, retirement cost on a source that cannot "
        "retire), contingencies that are retired or unavailable (skipped), an `earliest_year` "
        "after the pathway's last year, pathway columns without a pathway block (ignored), "
        "and nodes with nothing attached.",
        "",
    ]
    return "\n".join(out)


RUN_NAME = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,99}$")
"""A run, scenario or study name: a plain folder name inside the results folder."""


def check_run_name(name: str) -> str:
    """A run name that is a plain folder name inside the results folder, or InputError."""
    if not RUN_NAME.match(name) or name in {".", ".."}:
        raise InputError(
            [
                Problem(
                    None,
                    "invalid run name",
                    column="--name",
                    expected="letters, digits, '_', '-', '.' (no '/' or '..'), "
                    "starting with a letter or digit, at most 100 characters",
                    found=repr(name),
                )
            ]
        )
    return name
