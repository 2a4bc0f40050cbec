"""Graded coursework: the student's side (variants, self-checks) and the instructor's tools.

In an exercise notebook::

    from helpers.coursework import start
    exercise = start("wording", student_id)     # shows which statement is yours
    ...
    exercise.check("q1", q1, kind="number", minimum=0)   # formative: never reveals the answer

``casework generate`` builds the student notebooks and grading keys from the master notebooks in
``coursework/source/``; ``casework grade`` grades a folder (or LMS zip) of submissions.

``start`` and ``Exercise`` live in ``exercise.py`` and are loaded when first asked for: the
``casework`` command imports this package for its subcommands' options, and ``casework --help``
should not wait for IPython and pandas (#23).
"""

from __future__ import annotations

import importlib

__all__ = ["start", "Exercise"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module(".exercise", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
