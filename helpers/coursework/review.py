"""``casework review``: enter the instructor's points and comments, then write every output again.

The manual-grades sheet itself (its rows, and how they apply to the results) is ``manual.py``;
the pages and files are written by ``outputs.py``. This module is the command between them: it
reads the last run's typed results (``OUT/results/run.json``), asks for points row by row (or
takes the sheet as edited in a spreadsheet), and writes the outputs again.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from ..files import GROUP, atomic_write
from .intake import IntakeError, read_roster
from .manual import (
    MANUAL_FILE,
    RUN_FILE,
    ManualEntry,
    ReviewError,
    answer_digest,
    apply_sheet,
    read_sheet,
    sheet_rows,
    text_questions,
)
from .outputs import csv_text, write_outputs
from .results import SubmissionResult
from .source import load_key

# --------------------------------------------------------------------------- casework review


def load_run(out: Path) -> dict:
    """What the last ``casework grade`` into ``out`` recorded for writing its outputs again."""
    path = out / "results" / RUN_FILE
    if not path.exists():
        raise ReviewError(f"{out}: no grading run recorded here ({path} is missing): run `casework grade ... --out {out}` first")
    run = json.loads(path.read_text(encoding="utf-8"))
    run["results"] = [SubmissionResult.from_json(r) for r in run["results"]]
    return run


def rewrite_outputs(out: Path) -> list[SubmissionResult]:
    """Write the gradebook, feedback, Canvas file and summary of ``out`` again, with the sheet's current entries."""
    run = load_run(out)
    key = load_key(run["exercise"])
    if key["source_sha256"] != run["environment"].get("exercise_source_sha256"):
        raise ReviewError(f"exercise {run['exercise']!r} has changed since {out} was graded: run `casework grade` again first")
    roster = None
    if run["roster"]:
        try:
            roster = read_roster(Path(run["roster"]), run["id_column"])
        except IntakeError as error:
            raise ReviewError(f"the roster this folder was graded with cannot be read: {error}") from None
    write_outputs(
        run["results"],
        key,
        out,
        run["environment"],
        [tuple(s) for s in run["skipped"]],
        run["assignment"],
        roster,
        run["id_column"],
        run["reveal"],
    )
    return run["results"]


def _wrap(text: str) -> str:
    return "\n".join(
        textwrap.fill(line, 100, initial_indent="    ", subsequent_indent="    ") for line in str(text).splitlines() or [""]
    )


def review(
    out: Path, ask=input, say=print, submissions: list[str] | None = None, everything: bool = False
) -> list[SubmissionResult]:
    """Ask the instructor for the points and a comment of every open rubric row; write them back; rewrite the outputs.

    ``ask`` and ``say`` are ``input`` and ``print`` at a terminal. Enter leaves a row as it is; ``q``
    stops (what was entered so far is kept). With ``everything``, graded rows are asked again.
    """
    out = Path(out)
    run = load_run(out)
    sheet = out / MANUAL_FILE
    entries = apply_sheet(run["results"], read_sheet(sheet))
    by_key = {entry.key: entry for entry in entries}
    wanted = [r for r in run["results"] if text_questions(r) and (not submissions or r.submission in submissions)]
    stop = False
    for result in wanted:
        for question in text_questions(result):
            rows = [c for c in question.criteria if not c.automatic and (everything or c.pending)]
            if not rows or stop:
                continue
            say(
                f"\n=== {result.submission} (student {result.student_id or 'unknown'}), {question.question}: "
                f"{question.points:g} of {question.of:g} so far"
            )
            say(_wrap(question.answer))
            for c in question.criteria:
                if c.automatic:
                    say(
                        f"  pre-check {c.criterion}: {'met' if c.passed else 'not met'} ({c.points:g} of {c.of:g})"
                        + "".join(f"\n      {x}" for x in c.evidence)
                    )
            for c in rows:
                say(f"  {c.criterion} (0 to {c.of:g}): {c.description}")
                while True:
                    answer = ask(f"    points [{'' if c.pending else f'{c.points:g}'}] (Enter: leave, q: stop) > ").strip()
                    if answer.lower() == "q":
                        stop = True
                        break
                    if not answer:
                        break
                    try:
                        points = float(answer)
                    except ValueError:
                        points = -1
                    if 0 <= points <= c.of:
                        comment = ask("    comment > ").strip()
                        key = (result.submission, question.question, c.criterion)
                        entry = by_key.get(key)
                        if entry is None:
                            entry = ManualEntry(*key, "", "", "")
                            entries.append(entry)
                            by_key[key] = entry
                        entry.points, entry.comment, entry.answer_sha256 = f"{points:g}", comment, answer_digest(question.answer)
                        break
                    say(f"    give a number from 0 to {c.of:g}")
                if stop:
                    break
            apply_sheet(run["results"], entries)
            _write_sheet(sheet, run["results"], entries)
    results = rewrite_outputs(out)
    open_rows = sum(1 for r in results for q in text_questions(r) if q.manual_of)
    say(
        f"\nwrote {sheet}, the gradebook, the feedback and the Canvas import file; {open_rows} written answer(s) still have rows to grade"
    )
    return results


def _write_sheet(path: Path, results: list[SubmissionResult], entries: list[ManualEntry]) -> None:
    atomic_write(path, csv_text(sheet_rows(results, entries)), GROUP)
