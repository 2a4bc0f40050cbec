"""What a grading run writes: gradebook, LMS import, feedback, class summary, environment.

Everything here is built from the structured results alone. Student-supplied text (answers, file
names) is escaped before it goes into HTML, so feedback cannot carry a student's script.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from pathlib import Path

from .grade import RESULT_FIELDS, _atomic_write


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def gradebook_rows(results: list[dict], key: dict) -> list[list]:
    questions = [q["id"] for q in key["questions"]]
    manual = [q["id"] for q in key["questions"] if q["kind"] == "text"]
    header = list(RESULT_FIELDS[:5]) + [f"{q} (of {_points(key, q)})" for q in questions] + [f"{q} manual" for q in manual] + ["status", "reason"]
    rows = [header]
    for result in results:
        row = [result["submission"], result["student_id"], result["name"], _num(result["score"]), _num(result["max_score"])]
        row += [_num(result["questions"][q]["points"]) if q in result["questions"] else "" for q in questions]
        row += ["" for _ in manual]  # for the instructor
        row += [result["status"], result["reason"]]
        rows.append(row)
    return rows


def _points(key: dict, question: str):
    return _num(next(q["points"] for q in key["questions"] if q["id"] == question))


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def canvas_rows(results: list[dict], key: dict) -> list[list]:
    """Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID, Section, assignment."""
    column = f"{key['title']} ({key['exercise']})"
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
            ["    Points Possible", "", "", "", "", _num(results[0]["max_score"]) if results else ""]]
    for result in results:
        rows.append([result["name"] or result["student_id"], result["student_id"], "", "", "", _num(result["score"])])
    return rows


def feedback_html(result: dict, key: dict) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(q)}</td><td>{e(_num(g['points']))} / {e(_num(g['of']))}</td><td>{e(g['status'])}</td><td>{e(g['feedback'])}</td></tr>"
        for q, g in result["questions"].items()
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Feedback: {e(key['title'])}</title></head><body>"
        f"<h1>{e(key['title'])}</h1><p>Submission <code>{e(result['submission'])}</code>, student id <code>{e(result['student_id'])}</code></p>"
        f"<p>Score: {e(_num(result['score']))} of {e(_num(result['max_score']))}. Status: {e(result['status'])}.</p>"
        + (f"<p>{e(result['reason'])}</p>" if result["reason"] else "")
        + f"<table><thead><tr><th>Question</th><th>Points</th><th>Status</th><th>Feedback</th></tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>\n"
    )


def summary_markdown(results: list[dict], key: dict) -> str:
    scores = [r["score"] for r in results]
    statuses = Counter(r["status"] for r in results)
    lines = [f"# Class summary: {key['title']}", "", f"Submissions: {len(results)}", ""]
    lines += ["| status | submissions |", "|---|---|"] + [f"| {s} | {n} |" for s, n in sorted(statuses.items())]
    if scores:
        ordered = sorted(scores)
        median = ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
        lines += ["", f"Scores: median {median:g}, lowest {min(scores):g}, highest {max(scores):g} of {results[0]['max_score']:g}.", ""]
    lines += ["![Score distribution](score-distribution.png)", "", "## Most common wrong answers", ""]
    for question in key["questions"]:
        wrong = Counter(json.dumps(r["answers"].get(question["id"]), sort_keys=True) for r in results
                        if r["questions"].get(question["id"], {}).get("status") in ("incorrect", "wrong form") and question["id"] in r["answers"])
        lines.append(f"### {question['id']} ({question['kind']})")
        lines += [f"- `{answer.replace('`', '')}`: {count}" for answer, count in wrong.most_common(3)] or ["- none"]
        lines.append("")
    return "\n".join(lines)


def score_figure(results: list[dict], key: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = [r["score"] for r in results]
    top = results[0]["max_score"] if results else 1
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.hist(scores, bins=range(0, int(top) + 2), color="#0072B2", edgecolor="white", align="left")
    axes.set_title(f"Score distribution: {key['title']}")
    axes.set_xlabel(f"score (of {top:g})")
    axes.set_ylabel("submissions")
    figure.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp, dpi=100, metadata={"Software": None})
    plt.close(figure)
    tmp.replace(path)


def write_outputs(results: list[dict], key: dict, out: Path, environment: dict) -> None:
    _atomic_write(out / "gradebook.csv", _csv(gradebook_rows(results, key)))
    _atomic_write(out / "canvas-import.csv", _csv(canvas_rows(results, key)))
    for result in results:
        name = result["student_id"] or "unidentified-" + result["submission"].replace("/", "_")
        _atomic_write(out / "feedback" / f"{_safe(name)}.html", feedback_html(result, key))
    _atomic_write(out / "summary.md", summary_markdown(results, key))
    score_figure(results, key, out / "score-distribution.png")
    _atomic_write(out / "environment.json", json.dumps(environment, indent=1, sort_keys=True) + "\n")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:80] or "unnamed"
