"""Helpers for the crisis-communication case module: case data, times, tables, figures.

Notebooks import what they need by name, e.g. ``from helpers import load_case, plot_timeline``.
Each name is loaded from its module when first asked for, so ``import helpers`` (which the
``casework`` command's own modules cause) costs nothing until a name is used: `casework --help`
need not import pandas and matplotlib (#23).
"""

from __future__ import annotations

import importlib

#: Each public name and the module of this package it comes from.
# fmt: off
_EXPORTS = {
    "case": ["Case", "load_case"],
    "casefolder": ["resolve_case"],
    "errors": ["CaseDataError", "ParameterError", "Problem", "UnknownCaseError"],
    "params": ["check_parameters"],
    "paths": ["list_cases"],
    "plots": ["busiest_window", "case_period", "plot_category_rates", "plot_timeline"],
    "queries": ["organisation_statement_ids", "when"],
    "tables": ["case_summary", "open_questions_table", "organisation_voice", "sources_table", "statements_table", "status_counts",
               "use_notebook_display", "variants_table"],
    "widgets": ["render_statement", "statement_explorer"],
    "wording": ["analyse_text", "compare_statements", "count_table", "lexicon_summary", "load_lexicon"],
    "times": ["Gap", "Interval", "format_interval", "gap", "get_zone", "snowflake_time", "time_interval", "to_zone"],
    "validation": ["validate_case"],
}
# fmt: on
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
