"""The coding form: a choice of strategy per sentence and scheme, whose result is the answer the grader records.

In an exercise notebook::

    form = coding_form(case, ["statement-id", ...])   # a drop-down per sentence and scheme
    ...
    q5 = form.answer()                                  # in the answer cell

The grader runs the notebook again from the top, where no one has touched the form, so the
choices must be in the notebook itself. ``form.answer()`` therefore writes them into its own cell
(JupyterLab replaces the cell's text with ``q5 = form.answer([...])``, the choices as a list), and
``form.answer([...])`` on a fresh form shows those choices in the form and returns them. What the
grader records is that list: ``[statement_id, sentence, scheme, strategy]`` per code, checked
against the reference coding with Cohen's kappa (:mod:`.checks`).

The form's static twin, :func:`coding_form_html`, is the same table as HTML: what a papermill run,
an HTML export or the instructor's review page shows.
"""

from __future__ import annotations

import ast
import html
import json

from ..case import Case
from ..coding import load_strategies, sentence_text
from .answers import shape_problem
from .variants import CODED_SCHEMES, coding_items

UNCHOSEN = "—"


def strategies_by_scheme(schemes) -> dict[str, list[str]]:
    """Each scheme's strategies, in the order of data/schemes/strategies.csv."""
    table = load_strategies()
    return {scheme: list(table.loc[table["scheme"] == scheme, "strategy"]) for scheme in schemes}


def form_items(case: Case, statements) -> list[tuple[str, int]]:
    """The sentences of ``statements`` that the reference codes with every scheme of the form, in the order given."""
    coded = set(coding_items(case))
    order = {sid: i for i, sid in enumerate(statements)}
    return sorted((item for item in coded if item[0] in order), key=lambda item: (order[item[0]], item[1]))


def coding_form_html(case: Case, items, schemes=CODED_SCHEMES, codes=None) -> str:
    """The form as a static table: each sentence, and the strategy chosen for it in each scheme (or a dash)."""
    e = html.escape
    chosen = {(sid, n, scheme): strategy for sid, n, scheme, strategy in (codes or [])}
    head = "".join(f"<th>{e(scheme)}</th>" for scheme in schemes)
    rows = []
    for sid, n in items:
        cells = "".join(f"<td>{e(chosen.get((sid, n, scheme), UNCHOSEN))}</td>" for scheme in schemes)
        rows.append(f"<tr><td><code>{e(sid)}</code> {n}</td><td>{e(sentence_text(case, sid, n))}</td>{cells}</tr>")
    return (
        f'<table class="casework-coding-form"><thead><tr><th>sentence</th><th>text</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _literal(codes) -> str:
    lines = ",\n".join(
        f"    [{json.dumps(sid)}, {n}, {json.dumps(scheme)}, {json.dumps(strategy)}]" for sid, n, scheme, strategy in codes
    )
    return "[\n" + lines + ",\n]" if codes else "[]"


class CodingForm:
    """A drop-down per sentence and scheme; :meth:`answer` gives the choices as the answer to record."""

    def __init__(self, case: Case, statements=None, schemes=CODED_SCHEMES):
        import ipywidgets as widgets  # only a form shown in a notebook needs them: the grader never does

        if statements is None:  # every statement the reference codes
            statements = list(dict.fromkeys(sid for sid, _ in coding_items(case)))
        self.case, self.schemes = case, tuple(schemes)
        self.items = form_items(case, statements)
        if not self.items:
            raise ValueError(
                f"none of {list(statements)} has a sentence the case's reference coding codes with {' and '.join(self.schemes)}"
            )
        self.strategies = strategies_by_scheme(self.schemes)
        self.context = {"items": [list(item) for item in self.items], "schemes": self.strategies}
        self._touched = False  # a choice made in the page since the form was built
        self._setting = False
        self.menus: dict[tuple[str, int, str], widgets.Dropdown] = {}
        rows = []
        for sid, n in self.items:
            label = widgets.HTML(
                f'<div style="line-height:1.4;padding:4px 0"><code>{html.escape(sid)}</code> {n}: '
                f"{html.escape(sentence_text(case, sid, n))}</div>",
                layout=widgets.Layout(width="46%"),
            )
            menus = []
            for scheme in self.schemes:
                # the scheme's name labels each drop-down (screen readers read it with the choice)
                menu = widgets.Dropdown(
                    options=[(UNCHOSEN, "")] + [(s, s) for s in self.strategies[scheme]],
                    value="",
                    description=scheme,
                    style={"description_width": "initial"},
                    layout=widgets.Layout(width="27%"),
                    tooltip=f"{scheme}: {sid} sentence {n}",
                )
                menu.observe(self._changed, names="value")
                self.menus[(sid, n, scheme)] = menu
                menus.append(menu)
            rows.append(widgets.HBox([label, *menus]))
        self.status = widgets.HTML()
        self.widget = widgets.VBox([*rows, self.status])
        self._show_status()

    # ------------------------------------------------------------------ the choices

    def _changed(self, _change=None) -> None:
        if not self._setting:
            self._touched = True
        self._show_status()

    def _show_status(self) -> None:
        done = sum(bool(menu.value) for menu in self.menus.values())
        self.status.value = f"<p>{done} of {len(self.menus)} chosen. Then run the answer cell (<code>form.answer()</code>).</p>"

    @property
    def codes(self) -> list[list]:
        """The choices made so far, as the answer records them."""
        return [[sid, n, scheme, menu.value] for (sid, n, scheme), menu in self.menus.items() if menu.value]

    def set_codes(self, codes) -> None:
        """Show ``codes`` in the form (a choice a list does not name is cleared)."""
        chosen = {(sid, n, scheme): strategy for sid, n, scheme, strategy in codes}
        self._setting = True
        try:
            for key, menu in self.menus.items():
                value = chosen.get(key)
                menu.value = value if value in self.strategies[key[2]] else ""
        finally:
            self._setting = False
        self._show_status()

    def answer(self, codes=None):
        """The answer to record, and (in JupyterLab) the choices written into this cell.

        On a form no one has changed since it was built (after Restart and Run All, and always in the
        grader), ``codes`` are the answer and the form shows them. Once a choice is made in the page,
        the page wins: the choices are returned, and the cell is rewritten to hold them.
        """
        if codes is not None and not self._touched:
            self.set_codes([row for row in codes if isinstance(row, (list, tuple)) and len(row) == 4])
            return [list(row) for row in codes]
        current = self.codes
        if not current:
            print("Nothing is chosen yet: choose a strategy for every sentence in the form above, then run this cell again.")
            return ...
        problem = shape_problem("coding", current, context=self.context)
        if problem:
            print(f"Not yet complete: {problem}.")
        if self._write_into_cell(current):
            print(f"Your {len(current)} choice(s) are now written into this cell, so they are saved with the notebook.")
        else:
            print(
                "Put this in the answer cell in place of form.answer(), so your choices are saved with the notebook:\n\n"
                f"form.answer({_literal(current)})"
            )
        self._touched = False
        return current

    def _write_into_cell(self, codes) -> bool:
        """Rewrite the running cell's ``….answer(...)`` call to hold ``codes`` (JupyterLab applies it)."""
        try:
            from IPython import get_ipython  # there is a shell only in the notebook's kernel
        except ImportError:
            return False
        shell = get_ipython()
        if shell is None or not shell.user_ns.get("_ih"):
            return False
        source = shell.user_ns["_ih"][-1]
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return False
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "answer"
            and isinstance(node.func.value, ast.Name)
            and shell.user_ns.get(node.func.value.id) is self
        ]
        if len(calls) != 1:
            return False
        call = calls[0]
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        start = offsets[call.lineno - 1] + call.col_offset
        end = offsets[call.end_lineno - 1] + call.end_col_offset
        rewritten = source[:start] + f"{call.func.value.id}.answer({_literal(codes)})" + source[end:]
        shell.set_next_input(rewritten, replace=True)
        return True

    # ------------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/html"] = coding_form_html(self.case, self.items, self.schemes, self.codes)
        return bundle


def coding_form(case: Case, statements=None, schemes=CODED_SCHEMES) -> CodingForm:
    """The coding form for the sentences of ``statements`` (default: every statement the reference codes);
    ``coding_form_html`` is its static twin."""
    return CodingForm(case, statements, schemes)
