"""An exercise in the student's notebook: the variant, the case, and formative self-checks."""

from __future__ import annotations

from html import escape

from IPython.display import HTML, display

from ..case import load_case
from .answers import NotGradable, record_identity, shape_problem, to_plain
from .rubric import apply_rubric, load_rubric
from .variants import PLACEHOLDER_ID, assign, canonical, check_student_id


class Exercise:
    """One student's copy of an exercise: the variant, the case, and self-checks."""

    def __init__(self, exercise: str, student_id: str, case_id: str = "hootsuite-ice-2020"):
        check_student_id(student_id)
        self.exercise, self.student_id = exercise, student_id
        self.case = load_case(case_id)
        self.variant = assign(exercise, student_id, self.case)
        record_identity(exercise, student_id, self.case.case_id)  # for the grader's identity check; no-op elsewhere

    def _repr_html_(self) -> str:

        rows = "".join(f"<tr><th>{escape(k)}</th><td><code>{escape(str(v))}</code></td></tr>" for k, v in self.variant.items())
        warning = ""
        if canonical(self.student_id) == PLACEHOLDER_ID:
            warning = (
                "<p><strong>You are working on the demo variant.</strong> Type your own student id in the first code cell "
                '(<code>student_id = "..."</code>), then run all cells again: the grader checks your answers against '
                "the variant of the id in your notebook, and flags a notebook still set to <code>demo</code>.</p>"
            )
        return (
            f'<div class="casework-variant">{warning}<p>Case: {escape(self.case.title)} (organisation: '
            f"{escape(self.case.organisation)}). Your variant (student id <code>{escape(self.student_id)}</code>):</p>"
            f"<table>{rows}</table></div>"
        )

    def check(
        self,
        question: str,
        value,
        kind: str,
        choices=None,
        minimum=None,
        maximum=None,
        context: str | None = None,
        rubric: str | None = None,
    ) -> str:
        """A formative message about the form of an answer; it never says whether it is right."""
        try:
            plain = to_plain(value)
        except NotGradable as problem:
            message = f"{question}: {problem}"
        else:
            problem = shape_problem(kind, plain, choices, minimum, maximum, context)
            if problem:
                message = f"{question}: not yet gradable: {problem}"
            elif rubric:
                results = apply_rubric(plain, load_rubric(rubric), self.case)
                lines = [f"  {'met' if r.passed else 'not yet'}: {r.description}" for r in results]
                message = f"{question}: automatic pre-checks (the instructor grades the rest):\n" + "\n".join(lines)
            else:
                message = (
                    f"{question}: the form is right ({kind}). This check does not say whether the answer is correct; "
                    "re-read the question and the case data if you are unsure."
                )
        print(message)
        return message


def start(exercise: str, student_id: str, case_id: str = "hootsuite-ice-2020") -> Exercise:
    """Start an exercise: validate the student id, work out the variant and show it."""
    current = Exercise(exercise, student_id, case_id)
    display(HTML(current._repr_html_()))
    return current
