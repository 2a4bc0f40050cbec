"""Helpers for the crisis-communication case module: case data, times, tables, figures.

Notebooks import what they need by name, e.g. ``from helpers import load_case, plot_timeline``.
"""

from .case import Case, list_cases, load_case, resolve_case, validate_case
from .errors import CaseDataError, ParameterError, Problem, UnknownCaseError
from .params import check_parameters
from .plots import busiest_window, case_period, plot_category_rates, plot_timeline
from .queries import organisation_statement_ids, when
from .tables import (
    case_summary,
    open_questions_table,
    organisation_voice,
    sources_table,
    statements_table,
    status_counts,
    use_notebook_display,
    variants_table,
)
from .widgets import render_statement, statement_explorer
from .wording import analyse_text, compare_statements, count_table, lexicon_summary, load_lexicon
from .times import Gap, Interval, format_interval, gap, get_zone, snowflake_time, time_interval, to_zone

__all__ = [
    "Case", "CaseDataError", "Gap", "Interval", "ParameterError", "Problem", "UnknownCaseError",
    "analyse_text", "busiest_window", "case_period", "compare_statements", "count_table", "lexicon_summary",
    "load_lexicon", "organisation_statement_ids", "plot_category_rates", "render_statement", "statement_explorer", "case_summary", "check_parameters", "format_interval", "gap", "get_zone",
    "list_cases", "load_case", "open_questions_table", "organisation_voice", "plot_timeline", "resolve_case",
    "snowflake_time", "sources_table", "statements_table", "status_counts", "time_interval",
    "to_zone", "use_notebook_display", "validate_case", "variants_table", "when",
]
