"""Errors a user of the module can act on: each names what is wrong and where."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


def did_you_mean(word: object, choices: Iterable[object], n: int = 3) -> str:
    """`` (did you mean 'X'?)`` naming the choices closest to ``word``, ignoring case; blank if none is close.

    A choice that differs from ``word`` only in case is the one suggestion (``utc`` -> ``UTC``).
    """
    if not isinstance(word, str) or not word:
        return ""
    by_lower: dict[str, list[str]] = {}
    for choice in choices:
        by_lower.setdefault(str(choice).lower(), []).append(str(choice))
    close = by_lower.get(word.lower()) or [
        choice for key in difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6) for choice in by_lower[key]
    ]
    close = list(dict.fromkeys(close))[:n]
    if not close:
        return ""
    listed = repr(close[0]) if len(close) == 1 else ", ".join(repr(c) for c in close[:-1]) + f" or {close[-1]!r}"
    return f" (did you mean {listed}?)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a case folder, located as precisely as possible."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    row_id: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.row_id:
            where += f" ({self.row_id})"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class ShownAsMessage(Exception):
    """An error whose message says all a user needs: a notebook shows the message alone, without a traceback.

    IPython (so JupyterLab, nbclient and papermill) shows an exception that has ``_render_traceback_``
    as the lines that method returns; the trace through this module's code would only bury the message.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


class CaseDataError(ShownAsMessage, ValueError):
    """A case folder that does not follow data/README.md.

    ``problems`` lists everything found; the message starts with the first.
    """

    def __init__(self, case: str, problems: list[Problem]):
        self.case = case
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "unknown problem"
        more = (
            f" (and {len(self.problems) - 1} more problem(s); run `casework validate {case}`)" if len(self.problems) > 1 else ""
        )
        super().__init__(f"case {case!r}: {first}{more}")


class CsvFileError(ShownAsMessage, ValueError):
    """A CSV file that cannot be used; ``problems`` name the file, line and column of each thing wrong.

    The message names the file by ``what`` it is (a subclass says "lexicon", "coding file") and starts
    with the first problem.
    """

    what = "CSV file"

    def __init__(self, path, problems: list[Problem]):
        self.path, self.problems = path, list(problems)
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{self.what} {path}: {self.problems[0]}{more}")


class UnknownCaseError(ShownAsMessage, LookupError):
    """A case id that is neither a built-in case nor a case folder."""


class ParameterError(ShownAsMessage, ValueError):
    """A notebook parameter with an unknown name or a bad value."""


class OutputFolderError(OSError):
    """An output folder that cannot be created or written to."""
