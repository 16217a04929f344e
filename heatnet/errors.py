"""User-facing errors and the :class:`Problem` record that input checks collect.

Every check in heatnet collects *all* problems it finds before raising, so a planner fixing a
spreadsheet sees the whole list at once.  A problem names the file, the line (as a spreadsheet
shows it: line 1 is the header, the first data row is line 2), the id of the row, the column,
what was expected and what was found.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the input.

    Attributes:
        file: file name the problem is in, e.g. ``"pipes.csv"`` (None when it spans files).
        message: what is wrong, in planner's terms.
        line: 1-based line in the file (header = line 1), if it points at a row or a key.
        id: the ``id`` of the offending row, if the row has one.
        column: the column (or YAML key path) at fault.
        expected: what a valid value looks like.
        found: what is there now.
        hint: what to do about it.
        severity: ``"error"`` stops loading; ``"warning"`` is reported and loading goes on.
    """

    file: str | None
    message: str
    line: int | None = None
    id: str | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    severity: Severity = "error"

    def location(self) -> str:
        """``file:line (id X) column`` with the parts that are known."""
        parts: list[str] = []
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        if where:
            parts.append(where)
        if self.id is not None:
            parts.append(f"id {self.id!r}")
        if self.column is not None:
            parts.append(f"field {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.message
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            sep = "," if self.expected is not None else ";"
            text += f"{sep} found {self.found}"
        if self.hint:
            text += f". {self.hint}"
        loc = self.location()
        return f"{loc}: {text}" if loc else text


class HeatnetError(Exception):
    """Base class of every error heatnet shows to a user (printed without a traceback)."""

    exit_code: int = 1


class InputError(HeatnetError):
    """The input (network folder, profiles, scenario file, options) has one or more errors.

    ``problems`` holds every error found, and any warnings found alongside them.
    """

    def __init__(self, problems: Sequence[Problem], context: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.context = context
        super().__init__(self._render())

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Only the problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    def _render(self) -> str:
        # grouped by file (in the order files were first reported), then by line
        first_seen: dict[str | None, int] = {}
        for p in self.problems:
            first_seen.setdefault(p.file, len(first_seen))
        errors = sorted(self.errors, key=lambda p: (first_seen[p.file], p.line or 0))
        n = len(errors)
        head = self.context or "invalid input"
        lines = [f"{head}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in errors]
        warnings = [p for p in self.problems if p.severity == "warning"]
        if warnings:
            lines.append("and warnings:")
            lines += [f"  - {p}" for p in warnings]
        return "\n".join(lines)


class SolveError(HeatnetError):
    """The solver could not produce a usable answer (no feasible point, solver failure)."""


class Interrupted(HeatnetError):
    """The user stopped heatnet (Ctrl-C or SIGTERM); nothing that looks finished was written."""

    exit_code = 130


def raise_if_errors(problems: Iterable[Problem], context: str | None = None) -> list[Problem]:
    """Raise :class:`InputError` if any problem is an error; otherwise return the warnings."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, context)
    return problems


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` is most likely a misspelling of (same but for case, or close by
    :func:`difflib.get_close_matches` with cutoff 0.6), or None."""
    candidates = list(candidates)
    same_but_case = [c for c in candidates if c.casefold() == word.casefold()]
    close = same_but_case or difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A ``did you mean 'x'?`` hint for a misspelt key or id, or None."""
    match = closest(word, candidates)
    return f"Did you mean {match!r}?" if match is not None else None
