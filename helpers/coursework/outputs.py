"""What a grading run writes: gradebook, Canvas import file, feedback, class summary, environment.

Everything here is built from the typed results alone. Student-supplied text (answers, file
names, ids) is escaped before it goes into HTML or Markdown, and every CSV cell a spreadsheet
would run as a formula (a leading ``=``, ``+``, ``-``, ``@``) is neutralised. People's outputs
are readable by the instructor's group (``files.GROUP``), never by every user of the machine.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections import Counter
from pathlib import Path, PurePosixPath

import mistune

from ..files import GROUP, PRIVATE, atomic_write
from .intake import ROSTER_COLUMNS, Roster
from .manual import (
    MANUAL_FILE,
    REVIEW_PAGE,
    RUN_FILE,
    ManualEntry,
    ReviewError,
    apply_sheet,
    read_sheet,
    sheet_rows,
    text_questions,
)
from .results import STATUSES, QuestionResult, SubmissionResult

_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MARKDOWN = mistune.create_markdown(escape=True)
MAX_SHOWN = 2_000  # characters of a reason or an answer shown in one cell of a page


def _num(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _cell(value) -> str:
    text = _num(value)
    return "'" + text if _FORMULA.match(text) and not _NUMBER.match(text) else text


def csv_text(rows: list[list]) -> str:
    """Rows as CSV, with every cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def _clip(text: str, limit: int = MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + f" [... {len(text) - limit} more characters]"


def feedback_names(results: list[SubmissionResult]) -> dict[str, str]:
    """A file name under feedback/ for each submission, safe and unique."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for result in results:
        if not result.submission:
            continue
        stem = PurePosixPath(result.submission).name.removesuffix(".ipynb")
        name = "".join(c if c.isalnum() or c in "._-" else "_" for c in stem).strip("._")[:80] or "submission"
        if name in used:
            name += "-" + hashlib.sha256(result.submission.encode()).hexdigest()[:8]
        used.add(name)
        names[result.submission] = f"feedback/{name}.html"
    return names


# --------------------------------------------------------------------------- the gradebook


def gradebook_rows(results: list[SubmissionResult], key: dict) -> list[list]:
    questions = key["questions"]
    manual = [q["id"] for q in questions if q["kind"] == "text"]
    header = ["submission", "student_id", "name", "notebook_id", "variant_of", "score", "max_score"]
    header += [f"{q['id']} (of {_num(q['points'])})" for q in questions] + [f"{q} manual" for q in manual]
    header += ["status", "exported", "reason", "feedback", "isolation"]
    names = feedback_names(results)
    rows = [header]
    for result in results:
        row = [
            result.submission,
            result.student_id,
            result.name,
            result.notebook_id,
            result.variant_of,
            _num(result.score),
            _num(result.max_score),
        ]
        row += [_num(q.points) if (q := result.question(spec["id"])) else "" for spec in questions]
        row += [_manual_points(result, q) for q in manual]  # what the instructor entered (blank: nothing yet)
        row += [
            result.status,
            "yes" if result.final else "no",
            _clip(result.reason),
            names.get(result.submission, ""),
            result.isolation,
        ]
        rows.append(row)
    return rows


def _manual_points(result: SubmissionResult, question_id: str) -> str:
    question = result.question(question_id)
    entered = [c.points for c in question.criteria if not c.automatic and not c.pending] if question else []
    return _num(sum(entered)) if entered else ""


# --------------------------------------------------------------------------- the Canvas import file


def canvas_rows(results: list[SubmissionResult], key: dict, assignment: str, roster: Roster | None, id_column: str) -> list[list]:
    """Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment.

    Canvas matches a row to a student by ID, SIS User ID or SIS Login ID, and an assignment column
    to an existing assignment only by the id in brackets ("Exercise 1 (12345)"). A blank score
    leaves the student's grade as it is: every row that is not final is blank, never 0.
    """
    max_score = sum(q["points"] for q in key["questions"])
    rows = [list(ROSTER_COLUMNS) + [assignment], ["    Points Possible", "", "", "", "", _num(max_score)]]
    by_student: dict[str, list[SubmissionResult]] = {}
    for result in results:
        lms_key = result.roster.get("ID") or (result.student_id and f"id:{result.student_id.casefold()}")
        if lms_key:
            by_student.setdefault(lms_key, []).append(result)

    def score(group: list[SubmissionResult]) -> str:
        return _num(group[0].score) if len(group) == 1 and group[0].final else ""

    if roster is not None:
        for entry in roster.entries:
            group = by_student.get(entry.canvas_id, [])
            rows.append([entry.lms.get(column, "") for column in ROSTER_COLUMNS] + [score(group)])
        return rows
    for group in by_student.values():
        first = group[0]
        lms = {"Student": first.name, "ID": first.roster.get("ID", "")}
        if not lms["ID"]:
            lms[id_column] = first.student_id  # without a roster the file names are taken to be this column's ids
        rows.append([lms.get(column, "") for column in ROSTER_COLUMNS] + [score(group)])
    return rows


# --------------------------------------------------------------------------- feedback


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _expected_shown(kind: str, expected) -> str:
    if kind == "span" and isinstance(expected, dict):
        return "; ".join(repr(expected["text"][a:b]) for a, b in expected["accept"])
    if kind == "text":
        return "graded with the rubric (no single right text)"
    return _shown(expected)


def feedback_html(result: SubmissionResult, key: dict, reveal: bool = False) -> str:
    e = html.escape
    specs = {q["id"]: q for q in key["questions"]}
    blocks = []
    for question in result.questions:
        spec = specs.get(question.question, {})
        answer = (
            f'<pre class="answer">{e(_clip(_shown(question.answer)))}</pre>'
            if question.answered
            else '<p class="answer"><em>no answer was recorded</em></p>'
        )
        expected = (
            f"<p><strong>Expected:</strong> <code>{e(_clip(_expected_shown(spec.get('kind', ''), question.expected)))}</code></p>"
            if reveal
            else ""
        )
        criteria = "".join(_criterion_html(c) for c in question.criteria)
        manual = (
            f"<p>The instructor has still to grade {_num(question.manual_of)} point(s) of this answer.</p>"
            if question.manual_of
            else ""
        )
        prompt = spec.get("text", "")
        heading = (
            "" if prompt.lstrip().startswith("#") else f"<h2>{e(question.question)}</h2>"
        )  # the prompt's own heading, if it has one
        verdict = e(question.status) + ("" if question.feedback == question.status else f": {e(question.feedback)}")
        blocks.append(
            f'<section>{heading}<div class="question">{_MARKDOWN(prompt)}</div>'
            f"<p><strong>Your answer, as recorded:</strong></p>{answer}"
            f"<p><strong>Points: {e(_num(question.points))} of {e(_num(question.of))}</strong> ({verdict})</p>"
            + (f"<ul>{criteria}</ul>" if criteria else "")
            + manual
            + expected
            + "</section>"
        )
    variant = "".join(f"<tr><th>{e(k)}</th><td><code>{e(str(v))}</code></td></tr>" for k, v in result.variant.items())
    status_note = STATUSES.get(result.status, "")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Feedback: {e(key['title'])}</title><style>{FEEDBACK_CSS}</style></head><body><main>"
        f"<h1>{e(key['title'])}</h1>"
        f"<p>Submission <code>{e(result.submission)}</code>, student id <code>{e(result.student_id or 'unknown')}</code>, "
        f"case <code>{e(result.case_id)}</code>.</p>"
        + (
            f"<p>Checked against the variant of <code>{e(result.variant_of)}</code>:</p><table>{variant}</table>"
            if result.variant_of
            else ""
        )
        + f'<p class="score">Score: {e(_num(result.score) or "none")} of {e(_num(result.max_score))}. Status: {e(result.status)}'
        + (f" ({e(status_note)})" if status_note else "")
        + ".</p>"
        + (f"<p>{e(_clip(result.reason))}</p>" if result.reason else "")
        + "".join(blocks)
        + "</main></body></html>\n"
    )


def _criterion_html(criterion) -> str:
    """One rubric row in the feedback: automatic (met or not, and why) or the instructor's (points and comment)."""
    e = html.escape
    if criterion.automatic:
        verdict = "met" if criterion.passed else "not met"
        if criterion.overruled:
            verdict += ", overruled by the instructor"
        why = "".join(f"<li>{e(_clip(x, 400))}</li>" for x in criterion.evidence) if not criterion.passed else ""
    else:
        verdict = "the instructor's judgement" if not criterion.pending else "the instructor's judgement, not graded yet"
        why = ""
    points = "" if criterion.pending else f"{e(_num(criterion.points))} of "
    comment = f"<br><em>{e(_clip(criterion.comment, 1000))}</em>" if criterion.comment else ""
    return (
        f"<li>{points}{e(_num(criterion.of))}, {verdict}: {e(criterion.description)}{comment}"
        + (f"<ul>{why}</ul>" if why else "")
        + "</li>"
    )


FEEDBACK_CSS = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}"
    "main{max-width:48rem;margin:0 auto;padding:1rem}"
    "pre.answer{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:.5rem;border-left:3px solid #0072B2}"
    "table{border-collapse:collapse}th,td{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #ccc}"
    "code{word-break:break-word}section{border-top:1px solid #ccc;margin-top:1rem}"
)


# --------------------------------------------------------------------------- the class summary


def _md(text: str) -> str:
    """Student text made inert in Markdown: no HTML, no code spans, no line breaks; at most 120
    characters of it, a cut marked with an ellipsis (the gradebook has it whole). It is cut before
    it is escaped, so no entity is cut in two."""
    flat = " ".join(str(text).split())
    if len(flat) > 120:
        flat = flat[:119] + "…"
    return html.escape(flat, quote=False).replace("`", "'").replace("|", "\\|")


def summary_markdown(
    results: list[SubmissionResult],
    key: dict,
    skipped: list[tuple[str, str]],
    assignment: str,
    roster: Roster | None,
    manual_entries: list[ManualEntry] | None = None,
    manual_problem: str = "",
) -> str:
    statuses = Counter(r.status for r in results)
    submitted = [r for r in results if r.submission]
    final = [r for r in results if r.final]
    lines = [
        f"# Class summary: {key['title']}",
        "",
        f"Submissions: {len(submitted)}" + (f"; roster students: {len(roster.entries)}" if roster else ""),
        "",
    ]
    lines += ["| status | rows | meaning |", "|---|---|---|"]
    lines += [f"| {s} | {n} | {STATUSES.get(s, '')} |" for s, n in sorted(statuses.items())]
    scores = sorted(r.score for r in final)
    if scores:
        middle = len(scores) // 2
        median = scores[middle] if len(scores) % 2 else (scores[middle - 1] + scores[middle]) / 2
        lines += [
            "",
            f"Final scores ({len(scores)}): median {median:g}, lowest {scores[0]:g}, highest {scores[-1]:g} of {final[0].max_score:g}.",
        ]
    lines += ["", "![Score distribution](score-distribution.png)", "", "## Rows that need the instructor", ""]
    waiting = [r for r in results if not r.final]
    lines += [f"- `{_md(r.submission or r.student_id)}` ({r.status}): {_md(_waiting_reason(r))}" for r in waiting] or ["- none"]
    exported = sum(1 for r in results if r.final)
    has_id = re.search(r"\((\d+)\)\s*$", assignment)
    lines += [
        "",
        "## Canvas import",
        "",
        f"- `canvas-import.csv` {'updates the existing assignment' if has_id else 'creates a NEW assignment'} "
        f"**{_md(assignment)}**"
        + (
            ""
            if has_id
            else ' (pass --canvas-assignment "Name (id)" or a --roster that has the '
            "assignment's column to update an existing one)"
        )
        + ".",
        f"- {exported} score(s) exported; every other row is left blank, which leaves its grade in Canvas unchanged.",
    ]
    if roster is not None and assignment in roster.points_possible:
        canvas_points = roster.points_possible[assignment]
        ours = sum(q["points"] for q in key["questions"])
        if canvas_points and _num(float(canvas_points)) != _num(ours):
            lines.append(
                f"- **Check the points:** the assignment is out of {canvas_points} in Canvas; this exercise is out of {_num(ours)}."
            )
    if skipped:
        lines += ["", "## Files that are not submissions (skipped)", ""] + [f"- `{_md(name)}`: {why}" for name, why in skipped]
    written = [(r, q) for r in results for q in r.questions if q.criteria and q.status in ("pre-checked", "graded")]
    if written:
        waiting_rows = sum(1 for _, q in written if q.manual_of)
        lines += [
            "",
            "## Manual grading",
            "",
            f"- {len(written)} written answer(s); {waiting_rows} with rubric rows still to grade. Enter them with "
            f"`casework review` (or in `{MANUAL_FILE}`, beside this file); `{REVIEW_PAGE}` shows every text beside its pre-checks.",
        ]
        lines += [
            f"- `{MANUAL_FILE}` row for `{_md(e.submission)}` {_md(e.question)} {_md(e.criterion)}: {_md(e.problem)}"
            for e in (manual_entries or [])
            if e.problem
        ]
        if manual_problem:
            lines.append(f"- **{_md(manual_problem)}**")
    lines += ["", "## Most common wrong answers", ""]
    for question in key["questions"]:
        wrong = Counter(
            _md(json.dumps(q.answer, sort_keys=True))
            for r in results
            if (q := r.question(question["id"])) and q.status in ("incorrect", "wrong form") and q.answered
        )
        lines.append(f"### {question['id']} ({question['kind']})")
        lines += [f"- `{answer}`: {count}" for answer, count in wrong.most_common(3)] or ["- none"]
        lines.append("")
    return "\n".join(lines)


def _waiting_reason(result: SubmissionResult) -> str:
    pending = sum(q.manual_of for q in result.questions)
    manual = f"{_num(pending)} point(s) of rubric rows to grade by hand (casework review)" if pending else ""
    return "; ".join(filter(None, [result.reason, manual]))


def score_figure(results: list[SubmissionResult], key: dict) -> bytes:
    scores = [r.score for r in results if r.final]
    top = sum(q["points"] for q in key["questions"])
    from matplotlib.figure import Figure  # here: while the batch runs, the grader holds no matplotlib (#23 memory)

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    axes.hist(scores, bins=range(0, int(top) + 2), color="#0072B2", edgecolor="white", align="left")
    axes.set_title(f"Final scores: {key['title']}")
    axes.set_xlabel(f"score (of {top:g})")
    axes.set_ylabel("submissions")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def write_outputs(
    results: list[SubmissionResult],
    key: dict,
    out: Path,
    environment: dict,
    skipped: list[tuple[str, str]],
    assignment: str,
    roster: Roster | None,
    id_column: str,
    reveal: bool = False,
) -> None:
    """Every output of a run, with the instructor's manual points (``manual-grades.csv``) applied to ``results`` first."""
    written = any(q["kind"] == "text" for q in key["questions"])
    sheet, entries, problem = out / MANUAL_FILE, [], ""
    if written:
        try:
            entries = apply_sheet(results, read_sheet(sheet))
        except ReviewError as error:  # leave the instructor's file as it is, and say so
            entries, problem = None, f"{error}: it is left as it is, and no manual points are applied"
    (out / "feedback").mkdir(mode=0o750, exist_ok=True)
    atomic_write(out / "gradebook.csv", csv_text(gradebook_rows(results, key)), GROUP)
    atomic_write(out / "canvas-import.csv", csv_text(canvas_rows(results, key, assignment, roster, id_column)), GROUP)
    names = feedback_names(results)
    for result in results:
        if result.submission in names:
            atomic_write(out / names[result.submission], feedback_html(result, key, reveal), GROUP)
    atomic_write(out / "summary.md", summary_markdown(results, key, skipped, assignment, roster, entries, problem), GROUP)
    atomic_write(out / "score-distribution.png", score_figure(results, key), GROUP)
    atomic_write(out / "environment.json", json.dumps(environment, indent=1, sort_keys=True) + "\n", GROUP)
    if written:
        if entries is not None:
            atomic_write(sheet, csv_text(sheet_rows(results, entries)), GROUP)
        atomic_write(out / REVIEW_PAGE, review_page(results, key), GROUP)
    run = {
        "exercise": key["exercise"],
        "results": [r.to_json() for r in results],
        "skipped": [list(s) for s in skipped],
        "assignment": assignment,
        "roster": str(roster.path) if roster is not None else "",
        "id_column": id_column,
        "reveal": reveal,
        "environment": environment,
    }
    (out / "results").mkdir(mode=0o700, exist_ok=True)
    atomic_write(out / "results" / RUN_FILE, json.dumps(run, sort_keys=True, ensure_ascii=True), PRIVATE)


# --------------------------------------------------------------------------- the review page


def _rows_html(question: QuestionResult) -> str:
    e = html.escape
    rows = []
    for c in question.criteria:
        got = "open" if c.pending else f"{c.points:g}"
        check = ("met" if c.passed else "not met") if c.automatic else "instructor"
        evidence = "".join(f"<li>{e(x)}</li>" for x in c.evidence)
        rows.append(
            f"<tr><td>{e(c.criterion)}</td><td>{check}{' (overruled)' if c.overruled else ''}</td><td>{got} of {c.of:g}</td>"
            f"<td>{e(c.description)}{f'<ul>{evidence}</ul>' if evidence else ''}</td><td>{e(c.comment)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>row</th><th>pre-check</th><th>points</th><th>what it checks; why it failed</th><th>your comment</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def review_page(results: list[SubmissionResult], key: dict) -> str:
    """Every written answer beside its pre-checks and rubric rows, for the instructor (``review.html``)."""
    e = html.escape
    blocks = []
    for result in results:
        for question in text_questions(result):
            state = f"{question.manual_of:g} point(s) still to grade" if question.manual_of else "graded"
            blocks.append(
                f"<section><h2>{e(result.submission)} · {e(result.student_id or 'unknown')} · {e(question.question)}</h2>"
                f"<p>{e(state)}; {question.points:g} of {question.of:g} so far. Submission status: {e(result.status)}.</p>"
                f'<pre class="answer">{e(str(question.answer))}</pre>{_rows_html(question)}</section>'
            )
    body = "".join(blocks) or "<p>No written answers in this run.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Review: {e(key['title'])}</title><style>{FEEDBACK_CSS}</style></head><body><main>"
        f"<h1>Review: {e(key['title'])}</h1><p>Enter points and comments with <code>casework review</code>, or in "
        f"<code>{MANUAL_FILE}</code>; then the gradebook, the feedback and the Canvas file include them.</p>{body}</main></body></html>\n"
    )
