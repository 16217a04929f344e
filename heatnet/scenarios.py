"""Scenario files: named what-if variants of one base network (reference: ``docs/scenarios.md``).

A scenario file is YAML::

    study: jinan_examples              # optional; default = the file's stem
    description: ...                    # optional
    scenarios:
      base: {}
      carbon_192:
        economics: {carbon_price_cny_per_t: 192}
      late_south_line:
        pipes: {E_S1: {status: unavailable}}
      keep_lashan:
        sources: {COAL_LASHAN: {status: existing}}
      growth:
        demand_scale: 1.1
        economics: {co2_cap_t: 1.5e6}
      secure:
        security: {served_share: 0.7}
      tight_budget:
        constraints: {capex_budget_cny: 5.0e+9}
      fast_carbon:
        pathway: {carbon_price_cny_per_t: {2025: 96, 2030: 300}}

:func:`load_scenarios` reads and checks such a file against a base network and raises one
:class:`~heatnet.errors.InputError` listing every problem (unknown keys with a did-you-mean
hint, unknown ids, bad values, networks that no longer validate), each naming the file, the
line, the scenario and the key path. :func:`apply_scenario` turns a base network and a scenario
into a new :class:`~heatnet.network.Network`; the base is never changed.

Order in which a scenario is applied: ``profiles`` (swap the time series), then ``economics``,
``security``, ``constraints`` and ``pathway``, then the per-id overrides of ``sources``,
``pipes`` and ``demands``, then ``demand_scale`` (which multiplies every ``design_load_mw``,
overridden ones included).

``security:`` merges its keys into the network's security block (spec v1.1 §3); ``security:
null`` (or ``none``) removes the block, and a scenario may add one to a network without it
(``served_share`` is then required). ``constraints:`` (spec v1.1 §5) works the same way, key by
key: a key given in the scenario replaces the network's value of that key (a list of groups or
the ``min_heat_share`` mapping as a whole), ``constraints: null`` removes the block, and on a
network without one the scenario's keys make a new block. ``pathway:`` (spec v1.1 §4) too: a key
given replaces the network's (a per-year mapping as a whole), ``pathway: null`` removes the
block, and a block added to a network without one needs ``years``. The columns
``earliest_year`` and ``retire_by`` are overridden per id, as every column.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from heatnet import schema
from heatnet.errors import InputError, Problem, did_you_mean
from heatnet.io import (
    CONSTRAINT_KEYS,
    PATHWAY_KEYS,
    SECURITY_KEYS,
    make_pathway,
    parse_constraints,
    parse_pathway,
    parse_security,
    read_profiles,
    read_text,
)
from heatnet.network import Constraints, Network, Security
from heatnet.validate import check_network

TOP_KEYS = ("study", "description", "scenarios")
SCENARIO_KEYS = (
    "description",
    "economics",
    "sources",
    "pipes",
    "demands",
    "demand_scale",
    "profiles",
    "security",
    "constraints",
    "pathway",
)
TABLE_KEYS: dict[str, schema.TableSchema] = {
    "sources": schema.SOURCES,
    "pipes": schema.PIPES,
    "demands": schema.DEMANDS,
}
ECONOMICS = {c.name: c for c in schema.ECONOMICS}
DEMAND_SCALE = schema.Column(
    "demand_scale",
    "float",
    "-",
    minimum=0,
    strict_minimum=True,
    meaning="multiplies every design_load_mw",
)
#: Columns that a scenario cannot override: the row's identity and its place in the graph.
FROZEN_COLUMNS = ("id",)

Value = float | str | bool | None


@dataclass(frozen=True)
class Scenario:
    """One named variant of the base network.

    Attributes:
        name: scenario name (a safe folder name).
        description: free text.
        economics: economic parameters to change (names as in ``Economics``); ``co2_cap_t``
            may be None to remove a cap.
        sources, pipes, demands: per-id overrides ``{id: {column: value}}``.
        demand_scale: factor on every ``design_load_mw`` [-] (None = unchanged).
        profiles: profiles CSV replacing the network's (None = unchanged).
        security: keys of the network's security block to change (names as in
            ``Security``; empty = unchanged), or None to remove the block.
        constraints: keys of the network's constraints block to replace (names as in
            ``Constraints``; empty = unchanged), or None to remove the block.
        pathway: keys of the network's pathway block to replace, as
            :func:`heatnet.io.parse_pathway` gives them (a per-year key: a float for a plain
            number, else (year, value) points; empty = unchanged), or None to remove the
            block.
        file: scenario file it came from (for messages), if any.
        security_lines: lines of the security keys and contingency ids in ``file``
            (``{"security.contingencies.0": line, ...}``), for messages.
        constraints_lines: lines of the constraints keys, groups and ids in ``file``
            (``{"constraints.retire_together.0.1": line, ...}``), for messages.
        pathway_lines: lines of the pathway keys and years in ``file``
            (``{"pathway.demand_scale.2030": line, "pathway.years.2": line, ...}``).
    """

    name: str
    description: str = ""
    economics: Mapping[str, float | None] = field(default_factory=dict)
    sources: Mapping[str, Mapping[str, Value]] = field(default_factory=dict)
    pipes: Mapping[str, Mapping[str, Value]] = field(default_factory=dict)
    demands: Mapping[str, Mapping[str, Value]] = field(default_factory=dict)
    demand_scale: float | None = None
    profiles: Path | None = None
    security: Mapping[str, Any] | None = field(default_factory=dict)
    constraints: Mapping[str, Any] | None = field(default_factory=dict)
    pathway: Mapping[str, Any] | None = field(default_factory=dict)
    file: str | None = None
    security_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    constraints_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    pathway_lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def overrides(self, table: str) -> Mapping[str, Mapping[str, Value]]:
        """Per-id overrides of ``sources``, ``pipes`` or ``demands``."""
        return {"sources": self.sources, "pipes": self.pipes, "demands": self.demands}[table]


@dataclass(frozen=True)
class ScenarioSet:
    """The scenarios of one file, in file order.

    Attributes:
        study: study name (``study:`` in the file, else the file's stem).
        scenarios: scenarios by name, in file order.
        path: the scenario file (None if built in memory).
        sha256: SHA-256 of the file's bytes ("" if built in memory).
        description: free text.
    """

    study: str
    scenarios: dict[str, Scenario]
    path: Path | None = None
    sha256: str = ""
    description: str = ""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.scenarios.values())

    def __len__(self) -> int:
        return len(self.scenarios)

    def __getitem__(self, name: str) -> Scenario:
        return self.scenarios[name]


# --------------------------------------------------------------------------------------------
# YAML with line numbers


def _key_lines(
    node: yaml.Node,
    label: str,
    problems: list[Problem],
    prefix: tuple[str, ...] = (),
    out: dict[tuple[str, ...], int] | None = None,
) -> dict[tuple[str, ...], int]:
    """``{key path: line}`` for every mapping key of a composed YAML document; duplicated keys
    (which ``safe_load`` would silently merge) are recorded as problems."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            key = str(k.value) if isinstance(k, yaml.ScalarNode) else repr(k)
            line = k.start_mark.line + 1
            if key in seen:
                path = (*prefix, key)
                in_scenario = len(path) > 2 and path[0] == "scenarios"
                problems.append(
                    Problem(
                        label,
                        "duplicated key",
                        line=line,
                        id=path[1] if in_scenario else None,
                        column=".".join(path[2:] if in_scenario else path),
                        expected="each key once in its mapping",
                        found=f"{key!r} again (first on line {seen[key]})",
                    )
                )
            seen.setdefault(key, line)
            out.setdefault((*prefix, key), line)
            _key_lines(v, label, problems, (*prefix, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.setdefault((*prefix, str(i)), v.start_mark.line + 1)
            _key_lines(v, label, problems, (*prefix, str(i)), out)
    return out


class _Reporter:
    """Collects problems for one scenario file, each placed by key path."""

    def __init__(self, label: str, lines: Mapping[tuple[str, ...], int]) -> None:
        self.label = label
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: tuple[str, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def add(
        self,
        scenario: str | None,
        path: tuple[str, ...],
        message: str,
        *,
        expected: str | None = None,
        found: object = None,
        hint: str | None = None,
        severity: str = "error",
        at: tuple[str, ...] | None = None,
    ) -> None:
        """Record a problem at key ``path`` (its line: that of ``at``, if given)."""
        full = (
            ("scenarios", scenario, *(path if at is None else at)) if scenario is not None else path
        )
        self.problems.append(
            Problem(
                self.label,
                message,
                line=self.line(full),
                id=scenario,
                column=".".join(path) or None,
                expected=expected,
                found=None if found is None else (found if isinstance(found, str) else repr(found)),
                hint=hint,
                severity=severity,
            )
        )  # type: ignore[arg-type]


def _convert(col: schema.Column, value: object) -> tuple[Value, str | None]:
    """A YAML value converted to the column's type, or (None, reason) if it does not fit.

    Floats also accept numeric text (PyYAML reads ``1.5e6`` as text); ranges and choices
    are those of :mod:`heatnet.schema`.
    """
    if value is None:
        if col.dtype == "float" and col.default is None and not col.required:
            return None, None  # e.g. co2_cap_t: null removes the cap
        return None, "missing value"
    if col.dtype == "float":
        if isinstance(value, bool):
            return None, "not a number"
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                return None, "not a number"
        if not isinstance(value, (int, float)):
            return None, "not a number"
        v = float(value)
        low = col.minimum is not None and (
            v < col.minimum or (col.strict_minimum and v == col.minimum)
        )
        high = col.maximum is not None and (
            v > col.maximum or (col.strict_maximum and v == col.maximum)
        )
        if not math.isfinite(v) or low or high:
            return None, "value out of range"
        return v, None
    if col.dtype == "bool":
        if isinstance(value, bool):
            return value, None
        return None, "not a true/false value"
    if isinstance(value, (dict, list)):
        return None, "not a text"
    text = str(value).strip()
    if col.choices is not None:
        if text.lower() not in col.choices:
            return None, f"unknown {col.name}"
        return text.lower(), None
    if col.required and not text:
        return None, "missing value"
    return text, None


def _mapping(
    rep: _Reporter, scenario: str | None, path: tuple[str, ...], value: object, expected: str
) -> dict[Any, Any] | None:
    if value is None:
        return {}
    if not isinstance(value, dict):
        rep.add(
            scenario,
            path,
            "must be a mapping",
            expected=expected,
            found=type(value).__name__ + f" {value!r}",
        )
        return None
    return value


def _parse_table(
    rep: _Reporter,
    name: str,
    key: str,
    value: object,
    net: Network | None,
) -> dict[str, dict[str, Value]]:
    table = TABLE_KEYS[key]
    rows = _mapping(rep, name, (key,), value, f"{{ID: {{column: value}}}} for {table.file}")
    out: dict[str, dict[str, Value]] = {}
    if rows is None:
        return out
    frame = getattr(net, key) if net is not None else None
    ids = [str(i) for i in frame.index] if frame is not None else []
    extra_cols = [c for c in frame.columns if c not in table.names] if frame is not None else []
    allowed = [c for c in (*table.names, *extra_cols) if c not in FROZEN_COLUMNS]
    for raw_id, cols in rows.items():
        ident = str(raw_id)
        if frame is not None and ident not in frame.index:
            rep.add(
                name,
                (key, ident),
                f"unknown id in {table.file}",
                expected=f"the id of one of the network's {len(ids)} {key}",
                found=ident,
                hint=did_you_mean(ident, ids),
            )
            continue
        cmap = _mapping(rep, name, (key, ident), cols, "{column: value}")
        if cmap is None:
            continue
        converted: dict[str, Value] = {}
        for raw_col, cell in cmap.items():
            col_name = str(raw_col)
            path = (key, ident, col_name)
            if col_name in FROZEN_COLUMNS:
                rep.add(
                    name,
                    path,
                    "the id cannot be changed by a scenario",
                    expected="a column other than id",
                    found=col_name,
                )
                continue
            if col_name in table.names:
                col = table.column(col_name)
            elif col_name in extra_cols:
                col = schema.Column(col_name, "text")  # a note column of the input file
            else:
                rep.add(
                    name,
                    path,
                    f"unknown column of {table.file}",
                    expected="one of " + ", ".join(allowed),
                    found=col_name,
                    hint=did_you_mean(col_name, allowed),
                )
                continue
            v, err = _convert(col, cell)
            if err is not None:
                rep.add(
                    name,
                    path,
                    err,
                    expected=col.expected(),
                    found=cell,
                    hint=did_you_mean(str(cell), col.choices) if col.choices else None,
                )
                continue
            converted[col_name] = v
        out[ident] = converted
    return out


def _parse_block(
    rep: _Reporter,
    name: str,
    block: str,
    value: object,
    parse: Callable[..., dict[str, Any] | None],
    example: str,
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """A scenario's ``security:`` or ``constraints:`` (``block``; None: remove the network's
    block), read by ``parse`` (the loader's own reader of that block), and the lines of its
    keys, groups and ids."""
    prefix = ("scenarios", name, block)
    lines = {
        ".".join((block, *path[3:])): line for path, line in rep.lines.items() if path[:3] == prefix
    }
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None, lines
    if not isinstance(value, dict):
        rep.add(
            name,
            (block,),
            "must be a mapping",
            expected=f"keys of the {block} block such as {example}:, or null to remove the "
            "network's block",
            found=type(value).__name__ + f" {value!r}",
        )
        return {}, lines

    def report(
        path: tuple[str, ...], message: str, expected: str, found: str, hint: str | None
    ) -> None:
        rep.add(
            name,
            (block, *path[:1]),
            message,
            expected=expected,
            found=found,
            hint=hint,
            at=(block, *path),
        )

    return parse(value, report, text_numbers=True), lines


def _parse_security(
    rep: _Reporter, name: str, value: object, net: Network | None
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """A scenario's ``security:`` (None: remove the block) and the lines of its keys; a
    block added to a network without one needs its served_share."""
    parsed, lines = _parse_block(rep, name, "security", value, parse_security, "served_share")
    if (
        isinstance(value, dict)
        and net is not None
        and net.security is None
        and "served_share" not in value
    ):
        rep.add(
            name,
            ("security", "served_share"),
            "missing key",
            expected="served_share: … (the network has no security block to take it from)",
            found="no such key",
            at=("security",),
        )
    return parsed, lines


def _parse_constraints(
    rep: _Reporter, name: str, value: object
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """A scenario's ``constraints:`` (None: remove the block) and the lines of its keys,
    groups and ids."""
    return _parse_block(rep, name, "constraints", value, parse_constraints, "capex_budget_cny")


def _parse_pathway(
    rep: _Reporter, name: str, value: object, net: Network | None
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """A scenario's ``pathway:`` (None: remove the block) and the lines of its keys and
    years; a block added to a network without one needs its years."""
    parsed, lines = _parse_block(rep, name, "pathway", value, parse_pathway, "years")
    if isinstance(value, dict) and net is not None and net.pathway is None and "years" not in value:
        rep.add(
            name,
            ("pathway", "years"),
            "missing key",
            expected="years: [...] (the network has no pathway block to take it from)",
            found="no such key",
            at=("pathway",),
        )
    return parsed, lines


def _parse_scenario(
    rep: _Reporter, name: str, body: object, base_dir: Path | None, net: Network | None
) -> Scenario | None:
    if not schema.RUN_NAME.match(name) or name in {".", ".."}:
        rep.add(
            name,
            (),
            "invalid scenario name (it becomes a folder name)",
            expected="letters, digits, '_', '-', '.', starting with a letter or digit, "
            "at most 100 characters",
            found=name,
        )
    spec = _mapping(
        rep,
        name,
        (),
        body,
        "a mapping of scenario keys such as economics:, "
        "sources:, pipes:, demand_scale: ({} for the base case)",
    )
    if spec is None:
        return None
    n_before = sum(p.severity == "error" for p in rep.problems)
    kwargs: dict[str, Any] = {}
    for raw_key, value in spec.items():
        key = str(raw_key)
        if key == "description":
            kwargs["description"] = "" if value is None else str(value)
        elif key == "economics":
            econ = _mapping(rep, name, (key,), value, "{parameter: value}")
            parsed: dict[str, float | None] = {}
            for ekey, evalue in (econ or {}).items():
                path = (key, str(ekey))
                if ekey not in ECONOMICS:
                    rep.add(
                        name,
                        path,
                        "unknown economics key",
                        expected="one of " + ", ".join(ECONOMICS),
                        found=str(ekey),
                        hint=did_you_mean(str(ekey), ECONOMICS),
                    )
                    continue
                col = ECONOMICS[str(ekey)]
                v, err = _convert(col, evalue)
                if err is not None:
                    rep.add(name, path, err, expected=col.expected(), found=evalue)
                    continue
                parsed[str(ekey)] = v  # type: ignore[assignment]
            kwargs["economics"] = parsed
        elif key == "security":
            kwargs["security"], kwargs["security_lines"] = _parse_security(rep, name, value, net)
        elif key == "constraints":
            kwargs["constraints"], kwargs["constraints_lines"] = _parse_constraints(
                rep, name, value
            )
        elif key == "pathway":
            kwargs["pathway"], kwargs["pathway_lines"] = _parse_pathway(rep, name, value, net)
        elif key in TABLE_KEYS:
            kwargs[key] = _parse_table(rep, name, key, value, net)
        elif key == "demand_scale":
            v, err = _convert(DEMAND_SCALE, value)
            if err is not None:
                rep.add(name, (key,), err, expected=DEMAND_SCALE.expected(), found=value)
            else:
                kwargs["demand_scale"] = v
        elif key == "profiles":
            if not isinstance(value, str) or not value.strip():
                rep.add(
                    name,
                    (key,),
                    "must be a path to a profiles CSV",
                    expected="a path relative to the scenario file",
                    found=value,
                )
                continue
            p = Path(value.strip())
            kwargs["profiles"] = base_dir / p if base_dir and not p.is_absolute() else p
        else:
            rep.add(
                name,
                (key,),
                "unknown scenario key",
                expected="one of " + ", ".join(SCENARIO_KEYS),
                found=key,
                hint=did_you_mean(key, SCENARIO_KEYS),
            )
    if sum(p.severity == "error" for p in rep.problems) > n_before:
        return None
    return Scenario(name=name, file=rep.label, **kwargs)


def parse_scenarios(
    doc: object,
    *,
    label: str = "<scenarios>",
    lines: Mapping[tuple[str, ...], int] | None = None,
    base_dir: Path | None = None,
    net: Network | None = None,
    check_networks: bool = True,
) -> tuple[ScenarioSet | None, list[Problem]]:
    """Scenarios from already-parsed YAML data; every problem found, placed by key path.

    With ``net``, ids and extra columns are checked against it and (``check_networks``) every
    scenario is applied and the resulting network validated (graph problems become warnings).
    """
    rep = _Reporter(label, lines or {})
    if not isinstance(doc, dict):
        rep.add(
            None,
            (),
            "a scenario file must be a YAML mapping",
            expected="a top-level key scenarios: with one entry per scenario",
            found=type(doc).__name__,
        )
        return None, rep.problems
    for key in doc:
        if key not in TOP_KEYS:
            rep.add(
                None,
                (str(key),),
                "unknown top-level key",
                expected="one of " + ", ".join(TOP_KEYS),
                found=str(key),
                hint=did_you_mean(str(key), TOP_KEYS),
            )
    study = doc.get("study")
    stem = Path(label).stem
    if study is not None and (not isinstance(study, str) or not schema.RUN_NAME.match(study)):
        rep.add(
            None,
            ("study",),
            "invalid study name (it becomes a folder name)",
            expected="letters, digits, '_', '-', '.'",
            found=study,
        )
        study = None
    if "scenarios" not in doc:
        rep.add(
            None,
            (),
            "missing key",
            expected="a top-level key 'scenarios:'",
            found="keys " + ", ".join(map(str, doc)) if doc else "an empty file",
            hint=did_you_mean("scenarios", [str(k) for k in doc]),
        )
        return None, rep.problems
    body = _mapping(rep, None, ("scenarios",), doc["scenarios"], "{scenario name: {...}}")
    scenarios: dict[str, Scenario] = {}
    for raw_name, spec in (body or {}).items():
        sc = _parse_scenario(rep, str(raw_name), spec, base_dir, net)
        if sc is not None:
            scenarios[sc.name] = sc
    if body is not None and not body:
        rep.add(
            None,
            ("scenarios",),
            "no scenarios",
            expected="at least one scenario (base: {} for the unchanged network)",
            found="an empty mapping",
        )
    if net is not None and check_networks:
        for sc in scenarios.values():
            _, problems = scenario_network(net, sc)
            rep.problems += problems
    if any(p.severity == "error" for p in rep.problems):
        return None, rep.problems
    desc = doc.get("description")
    return ScenarioSet(
        study=study or stem or "study",
        scenarios=scenarios,
        description="" if desc is None else str(desc),
    ), rep.problems


def read_scenarios(
    path: str | os.PathLike[str],
    net: Network | None = None,
) -> tuple[ScenarioSet | None, list[Problem]]:
    """Read and check a scenario file; return it (None if unusable) and every problem found.

    Args:
        path: the YAML file; ``profiles:`` paths in it are relative to its folder.
        net: the base network; with it, ids are checked and every scenario is applied and
            its network validated.
    """
    p = Path(path)
    label = p.name
    problems: list[Problem] = []
    text = read_text(p, label, problems)
    if text is None:
        return None, problems
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        text_lines = text.splitlines()
        found = (
            repr(text_lines[line - 1].strip())
            if line is not None and line <= len(text_lines)
            else "the end of the file"
        )
        problems.append(
            Problem(
                label,
                "not valid YAML: " + str(getattr(exc, "problem", exc)),
                line=line,
                expected="a YAML mapping with a scenarios: key",
                found=found,
            )
        )
        return None, problems
    lines = _key_lines(node, label, problems) if node is not None else {}
    sset, more = parse_scenarios(
        doc, label=label, lines=lines, base_dir=p.parent.resolve(), net=net
    )
    problems += more
    if sset is None or any(pr.severity == "error" for pr in problems):
        return None, problems
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return dataclasses.replace(sset, path=p.resolve(), sha256=digest), problems


def load_scenarios(path: str | os.PathLike[str], net: Network | None = None) -> ScenarioSet:
    """Read a scenario file, or raise :class:`InputError` listing every problem in it."""
    sset, problems = read_scenarios(path, net)
    if sset is None:
        raise InputError(problems, context=f"scenario file {path} cannot be used")
    return sset


# --------------------------------------------------------------------------------------------
# applying a scenario


def _as_scenario(scenario: Scenario | Mapping[str, Any], net: Network) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    name = str(scenario.get("name", "scenario")) if isinstance(scenario, Mapping) else "scenario"
    body = {k: v for k, v in scenario.items() if k != "name"}
    sset, problems = parse_scenarios(
        {"scenarios": {name: body}}, label="<scenario>", net=net, check_networks=False
    )
    if sset is None or any(p.severity == "error" for p in problems):
        raise InputError(problems, context=f"scenario {name!r} cannot be applied")
    return sset[name]


def _set_cells(df: pd.DataFrame, overrides: Mapping[str, Mapping[str, Value]]) -> None:
    for ident, cols in overrides.items():
        for col, value in cols.items():
            if col not in df.columns:
                df[col] = ""
            if df[col].dtype == bool and not isinstance(value, bool):
                df[col] = df[col].astype(object)
            df.loc[ident, col] = value


def scenario_network(
    net: Network,
    scenario: Scenario | Mapping[str, Any],
) -> tuple[Network | None, list[Problem]]:
    """The base network with the scenario applied, and every problem found in the result.

    Returns (None, problems) if the result has errors. Problems carry the scenario's name in
    their message; graph reachability problems are warnings (a stranded district's heat
    becomes priced unserved heat).
    """
    sc = _as_scenario(scenario, net)
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    prof_label = "profiles"
    if sc.profiles is not None:
        prof_label = str(sc.profiles)
        profiles = read_profiles(sc.profiles, problems, label=prof_label)
        if len(profiles) == 0:
            return None, _tag(sc, problems)
        changes.update(profiles=profiles, profiles_path=sc.profiles)
    elif net.profiles_path is not None:
        prof_label = net.profiles_path.name
    if sc.economics:
        changes["economics"] = dataclasses.replace(net.economics, **sc.economics)
    security_where: dict[str, Any] = {}
    if sc.security is None:
        changes["security"] = None
    elif sc.security:
        unknown = [k for k in sc.security if k not in SECURITY_KEYS]
        if unknown:
            raise ValueError(f"unknown security keys {unknown} in scenario {sc.name!r}")
        if net.security is not None:
            changes["security"] = dataclasses.replace(net.security, **sc.security)
        elif "served_share" in sc.security:
            changes["security"] = Security(**sc.security)
        else:
            problems.append(
                Problem(
                    sc.file or "<scenario>",
                    "missing key",
                    line=sc.security_lines.get("security"),
                    id=sc.name,
                    column="security.served_share",
                    expected="served_share: … (the network has no security block to take it from)",
                    found="no such key",
                )
            )
            return None, _tag(sc, problems)
        if net.security is None or "contingencies" in sc.security:
            # the contingency list is the scenario's: its problems point into the scenario file
            security_where = {
                "security_file": sc.file or "<scenario>",
                "security_lines": sc.security_lines,
            }
    constraints_where: dict[str, Any] = {}
    if sc.constraints is None:
        changes["constraints"] = None
    elif sc.constraints:
        unknown = [k for k in sc.constraints if k not in CONSTRAINT_KEYS]
        if unknown:
            raise ValueError(f"unknown constraints keys {unknown} in scenario {sc.name!r}")
        changes["constraints"] = dataclasses.replace(
            net.constraints or Constraints(), **sc.constraints
        )
        constraints_where = _block_where(net, sc, "constraints", sc.constraints_lines)
    pathway_where = _pathway_change(net, sc, changes, problems)
    if pathway_where is None:
        return None, _tag(sc, problems)
    tables = {k: getattr(net, k).copy() for k in TABLE_KEYS}
    for key, df in tables.items():
        _set_cells(df, sc.overrides(key))
    if sc.demand_scale is not None:
        d = tables["demands"]
        d["design_load_mw"] = d["design_load_mw"].astype(float) * sc.demand_scale
    changes.update(tables)
    new = net.replace(**changes)
    found = check_network(
        new,
        strict_graph=False,
        profiles_label=prof_label,
        **security_where,
        **constraints_where,
        **pathway_where,
    )
    problems += [p for p in found if not _expected_by_override(sc, p)]
    problems = _tag(sc, problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return new, problems


def _block_where(
    net: Network, sc: Scenario, block: str, scenario_lines: Mapping[str, int]
) -> dict[str, Any]:
    """Where the keys of a merged ``constraints:`` or ``pathway:`` block (``block``) are
    written, as :func:`heatnet.validate.check_network` takes it (``<block>_lines``,
    ``<block>_files``): the scenario's keys are its own, so their problems point into the
    scenario file; the others keep the lines of the network's network.yaml."""
    keys = getattr(sc, block)

    def own(line_key: str) -> bool:
        return line_key == block or line_key.split(".")[1] in keys

    base_lines = net.line_numbers.get("network.yaml", {})
    return {
        f"{block}_lines": {
            **{k: v for k, v in base_lines.items() if k.startswith(f"{block}.") and not own(k)},
            **{k: v for k, v in scenario_lines.items() if own(k)},
        },
        f"{block}_files": {k: sc.file or "<scenario>" for k in keys},
    }


def _pathway_change(
    net: Network, sc: Scenario, changes: dict[str, Any], problems: list[Problem]
) -> dict[str, Any] | None:
    """Apply the scenario's ``pathway:`` to ``changes`` (its keys over the network's block,
    see :func:`heatnet.io.make_pathway`; None: remove the block) and return where its keys
    are written (see :func:`_block_where`); None with the problem recorded when the scenario
    adds a block without ``years``."""
    if sc.pathway is None:
        changes["pathway"] = None
        return {}
    if not sc.pathway:
        return {}
    unknown = [k for k in sc.pathway if k not in PATHWAY_KEYS]
    if unknown:
        raise ValueError(f"unknown pathway keys {unknown} in scenario {sc.name!r}")
    if net.pathway is None and "years" not in sc.pathway:
        problems.append(
            Problem(
                sc.file or "<scenario>",
                "missing key",
                line=sc.pathway_lines.get("pathway"),
                id=sc.name,
                column="pathway.years",
                expected="years: [...] (the network has no pathway block to take it from)",
                found="no such key",
            )
        )
        return None
    changes["pathway"] = make_pathway(sc.pathway, net.pathway)
    return _block_where(net, sc, "pathway", sc.pathway_lines)


def _expected_by_override(sc: Scenario, p: Problem) -> bool:
    """True for a warning that a status override makes inevitable and the planner meant: a
    capex or retirement cost that no longer applies because the scenario changed the status."""
    table = {"sources.csv": "sources", "pipes.csv": "pipes"}.get(p.file or "")
    if (
        p.severity != "warning"
        or table is None
        or p.column not in ("capex_cny", "retirement_cost_cny")
    ):
        return False
    return "status" in sc.overrides(table).get(str(p.id), {})


def _tag(sc: Scenario, problems: list[Problem]) -> list[Problem]:
    return [dataclasses.replace(p, message=f"scenario {sc.name!r}: {p.message}") for p in problems]


def apply_scenario(net: Network, scenario: Scenario | Mapping[str, Any]) -> Network:
    """A new network: ``net`` with the scenario's overrides applied (``net`` is unchanged).

    ``scenario`` is a :class:`Scenario` or a mapping written as in a scenario file, e.g.
    ``{"economics": {"carbon_price_cny_per_t": 200}, "pipes": {"E_S1": {"status":
    "unavailable"}}}``. Raises :class:`InputError` if an override is invalid or the resulting
    network has errors; graph reachability problems are only warnings
    (see :func:`scenario_network` to get them).
    """
    new, problems = scenario_network(net, scenario)
    if new is None:
        name = scenario.name if isinstance(scenario, Scenario) else "scenario"
        raise InputError(problems, context=f"scenario {name!r} gives an invalid network")
    return new


__all__ = [
    "Scenario",
    "ScenarioSet",
    "apply_scenario",
    "load_scenarios",
    "parse_scenarios",
    "read_scenarios",
    "scenario_network",
]
