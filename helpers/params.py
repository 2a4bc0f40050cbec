"""Strict checking of notebook parameters.

Papermill only logs "Passed unknown parameter" for a mistyped name and never checks types or
values. Each lesson notebook therefore calls ``check_parameters(globals())`` right after its
``parameters`` cell. The declared parameters are the annotated names of that cell
(``display_timezone: str = "America/Vancouver"  # help``); papermill's injected cell (it starts
with ``# Parameters``) is read back from the kernel's input history, so a name it sets that the
notebook does not declare is an error, and so is a value of the wrong type or an invalid value.

``check_values`` applies the same checks outside a notebook, so ``casework run -p`` can refuse a
bad value before any notebook runs.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .casefolder import resolve_case
from .claims import check_claim
from .coding import check_scheme
from .errors import ParameterError, UnknownCaseError, did_you_mean
from .lexicon import LexiconError, load_lexicon
from .plots import quantity_series
from .queries import check_statement_parameters
from .timeline import check_event, parse_as_of
from .times import get_zone

if TYPE_CHECKING:
    from .case import Case

INJECTED_MARKER = "# Parameters"


def _check_case_id(value: str) -> None:
    try:
        resolve_case(value)
    except UnknownCaseError as exc:
        raise ParameterError(f"parameter 'case_id': {exc}") from None


def _check_zone(name: str, blank_ok: bool = False) -> Callable[[str], None]:
    def check(value: str) -> None:
        if blank_ok and value == "":
            return
        try:
            get_zone(value)
        except ValueError as exc:
            raise ParameterError(f"parameter {name!r}: {exc}") from None

    return check


def _check_lexicon(value: str) -> None:
    if value == "":
        return
    try:
        load_lexicon(value)
    except (FileNotFoundError, LexiconError) as exc:
        raise ParameterError(f"parameter 'lexicon': {exc}") from None


def _check_scheme(value: str) -> None:
    check_scheme(value)


def _check_cases(value: list) -> None:
    for item in value:
        if not isinstance(item, str):
            raise ParameterError(f"parameter 'compare_with': {item!r} is not a case id or folder (give a list of strings)")
        try:
            resolve_case(item)
        except UnknownCaseError as exc:
            raise ParameterError(f"parameter 'compare_with': {exc}") from None


def _check_hours(name: str, least: int) -> Callable[[int], None]:
    def check(value: int) -> None:
        if not least <= value <= 720:
            raise ParameterError(f"parameter {name!r}: {value!r} is not a number of hours from {least} to 720")

    return check


def _check_existing_file(name: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value and not Path(value).expanduser().is_file():
            raise ParameterError(f"parameter {name!r}: file not found: {value}")

    return check


# Value checks shared by every notebook that uses a parameter of this name.
VALUE_CHECKS: dict[str, Callable[[Any], None]] = {
    "case_id": _check_case_id,
    "display_timezone": _check_zone("display_timezone", blank_ok=True),  # blank: the case's own zone
    "lexicon": _check_lexicon,  # blank: the module's default lexicon
    "scheme": _check_scheme,
    "compare_with": _check_cases,  # empty: every other built-in case
    "hours_before": _check_hours("hours_before", 0),
    "hours_after": _check_hours("hours_after", 1),
    "student_coding": _check_existing_file("student_coding"),  # blank: no coding yet
}

# Parameters that name a file: a relative path given outside a notebook is made absolute, because
# the kernel may run in another folder (``casework run`` uses a temporary one).
PATH_PARAMETERS = ("lexicon", "student_coding")


def _check_statements(name: str) -> Callable[[Case, Any, dict[str, Any]], None]:
    def check(case: Case, value: Any, values: dict[str, Any]) -> None:
        check_statement_parameters(case, **{name: value})

    return check


def _check_event(name: str) -> Callable[[Case, Any, dict[str, Any]], None]:
    def check(case: Case, value: str, values: dict[str, Any]) -> None:
        if value:
            check_event(case, value, name)

    return check


def _check_series(case: Case, value: str, values: dict[str, Any]) -> None:
    available = quantity_series(case)
    if value and value not in available:
        hint = did_you_mean(value, available)
        raise ParameterError(
            f"parameter 'quantity_series': the case has no counted series {value!r}{hint}; "
            f"its series with two or more readings: {', '.join(available) or 'none'}"
        )


def _check_as_of(case: Case, value: str, values: dict[str, Any]) -> None:
    if value:
        parse_as_of(case, value, values.get("display_timezone") or None)


def _check_claim(case: Case, value: str, values: dict[str, Any]) -> None:
    if value:
        check_claim(case, value)


# Value checks that need the case: the same functions the notebooks call once the case is loaded.
# Each gets the case, the value and every other given value (``as_of`` is read in the display zone).
CASE_CHECKS: dict[str, Callable[[Case, Any, dict[str, Any]], None]] = {
    "focus_statement": _check_statements("focus_statement"),
    "compare_ids": _check_statements("compare_ids"),
    "compare_speakers": _check_statements("compare_speakers"),
    "anchor_event": _check_event("anchor_event"),
    "decision_event": _check_event("decision_event"),
    "response_event": _check_event("response_event"),
    "quantity_series": _check_series,
    "as_of": _check_as_of,
    "claim": _check_claim,
}


def check_values(values: dict[str, Any], case: Case | None = None) -> None:
    """Check parameter values given outside a notebook as the notebooks would check them.

    Runs ``VALUE_CHECKS`` and, with ``case``, ``CASE_CHECKS``; raises ``ParameterError`` naming
    the first parameter whose value is bad.
    """
    for name, value in values.items():
        if name in VALUE_CHECKS:
            VALUE_CHECKS[name](value)
    if case is not None:
        for name, value in values.items():
            if name in CASE_CHECKS:
                CASE_CHECKS[name](case, value, values)


def check_case_parameters(case: Case, **values: Any) -> None:
    """Check, once the case is loaded, the parameters whose valid values depend on it (``CASE_CHECKS``)."""
    for name, value in values.items():
        CASE_CHECKS[name](case, value, values)


def injected_names(history: list[str]) -> dict[str, int]:
    """Names assigned in papermill's injected cell(s), with the history index of the cell."""
    names: dict[str, int] = {}
    for index, source in enumerate(history):
        if not source.lstrip().startswith(INJECTED_MARKER):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = index
    return names


def check_parameters(namespace: dict[str, Any], extra_checks: dict[str, Callable[[Any], None]] | None = None) -> SimpleNamespace:
    """Validate a notebook's parameters and return them as a namespace.

    ``namespace`` is the notebook's ``globals()``. Raises ``ParameterError`` naming the parameter
    for an unknown name (with the declared names), a value of the wrong type, or a bad value.
    """
    declared: dict[str, Any] = dict(namespace.get("__annotations__", {}))
    if not declared:
        raise ParameterError("this notebook declares no parameters: annotate them in the parameters cell (name: type = default)")
    history = namespace.get("In") or []
    unknown = sorted(set(injected_names(list(history))) - set(declared))
    if unknown:
        name = unknown[0]
        hint = did_you_mean(name, declared, n=1)
        raise ParameterError(f"unknown parameter {name!r}{hint}; this notebook's parameters are: {', '.join(declared)}")
    values = {}
    checks = {**VALUE_CHECKS, **(extra_checks or {})}
    for name, kind in declared.items():
        if name not in namespace:
            raise ParameterError(f"parameter {name!r} is declared but has no value")
        value = namespace[name]
        if isinstance(kind, type) and not _is_instance(value, kind):
            raise ParameterError(f"parameter {name!r} must be of type {kind.__name__}, got {type(value).__name__} {value!r}")
        if name in checks:
            checks[name](value)
        values[name] = value
    return SimpleNamespace(**values)


def _is_instance(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
