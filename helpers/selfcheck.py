"""End-of-lesson self-checks: a few questions computed from the case, with feedback that never
gives the answer away.

Each lesson ends with a cell in which the student fills in a dictionary of answers and calls
:func:`self_check`. The expected values are computed from whatever case the lesson runs on, so the
questions work for every case; a question the case cannot answer (a case with no paraphrases, say)
is marked to be skipped rather than asked with no right answer. The feedback says "fits the
data", or "not yet" with a hint about where to look; it never prints the expected value. The
questions avoid what the graded exercises ask, so a self-check cannot confirm a graded answer.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .case import Case
from .casebook import first_public_latency, inside_contradictions
from .claims import against_record, contradictions
from .coding import analyse_draft, load_clusters
from .errors import ParameterError, did_you_mean
from .timeline import against_norms, decision_and_first_press_event, gap_row
from .wording import analyse_text

NOT_ANSWERED = "not answered yet"
FITS = "fits the data"
SKIPPED = "this case gives nothing to ask here: skip it"


@dataclass(frozen=True)
class Question:
    """One self-check question: what is asked, how the answer is compared, and where to look."""

    key: str
    prompt: str
    kind: str  # "number" (within ``tolerance``), "choice" (one text, any case), "one of" (any id of a set)
    expected: Callable[..., object]  # (case, context) -> the value, or the set of accepted ids; None: cannot be asked
    hint: str
    tolerance: float = 0.0


@dataclass(frozen=True)
class Feedback:
    key: str
    prompt: str
    answer: object
    status: str  # NOT_ANSWERED, FITS, SKIPPED or "not yet"
    message: str


@dataclass(frozen=True, repr=False)
class SelfCheck:
    """The feedback on every question of one lesson's self-check (shown as a table in a notebook)."""

    lesson: str
    items: tuple[Feedback, ...]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "question": f.key,
                    "asks": f.prompt,
                    "your answer": "" if f.answer is None else str(f.answer),
                    "feedback": f.message,
                }
                for f in self.items
            ]
        )

    def __repr__(self) -> str:
        return "\n".join(f"{f.key}: {f.message}" for f in self.items)

    def _repr_html_(self) -> str:
        done = sum(f.status == FITS for f in self.items)
        asked = sum(f.status != SKIPPED for f in self.items)
        table = self.table().to_html(index=False, escape=True, border=0)
        # text reads from the left: the notebook's stylesheet right-aligns table cells, so align them here
        table = table.replace("<td>", '<td style="text-align:left">').replace("<th>", '<th style="text-align:left">')
        return (
            f'<div class="self-check" data-lesson="{html.escape(self.lesson)}"><p><b>Self-check</b>: {done} of '
            f"{asked} answers fit the data.</p>{table}</div>"
        )


# --------------------------------------------------------------------------- the expected values


def _paraphrases(case, context):
    return int((case.statements["text_status"] == "paraphrase").sum())


def _derived_times(case, context):
    return set(case.statements.index[case.statements["time_basis"] == "derived"]) or None


def _unplaced(case, context):
    return set(case.statements.index[case.statements["start"].isna()]) or None


def _focus_analysis(case, context):
    return analyse_text(case.statements.loc[context["focus"], "text"], context.get("lexicon"), case.names)


def _hedges(case, context):
    return sum(m.category == "hedge" for m in _focus_analysis(case, context).matches)


def _passive(case, context):
    groups = _focus_analysis(case, context).groups
    return ("yes" if any(g.voice == "passive" for g in groups) else "no") if groups else None


def _names_itself(case, context):
    return sum(m.subcategory == "organisation name" for m in _focus_analysis(case, context).matches)


def _decision_order(case, context):
    pair = decision_and_first_press_event(case)
    return None if pair is None else ("yes" if gap_row(case, *pair)["certain order"] == "yes" else "no")


def _public_verdict(case, context):
    verdicts = against_norms(case, context["anchor"])
    public = verdicts[verdicts["audience"] == "public"]["verdict"]
    return public.iloc[0].removesuffix(" the norm").removesuffix(" from the sources") if len(public) else None


def _inside_pairs(case, context):
    return len(contradictions(case, include_implied=context.get("include_implied", True), organisation_only=True))


def _paraphrase_stances(case, context):
    paraphrased = set(case.statements.index[case.statements["text_status"] == "paraphrase"])
    return paraphrased & set(case.stances["statement_id"]) or None


def _against_record(case, context):
    return len(against_record(case, context.get("include_implied", True)))


def _challenge_cluster(case, context):
    clusters = load_clusters()
    found = [name for name, types in clusters["crisis_types"].items() if "challenge" in types.split("; ")]
    return found[0] if found else None


def _missing_components(case, context):
    return len(analyse_draft(case, context["draft"]).apology_missing)


def _reference_sentences(case, context):
    coding = case.coding
    if not len(coding) or not (coding["scheme"] == context["scheme"]).any():
        return None
    return int((coding["scheme"] == context["scheme"]).sum())


#: The answer to ``longest-wait`` when the sources establish no longest wait (the ranges overlap).
NOT_ESTABLISHED = "none"


def _longest_wait(case, context):
    """The case whose shortest wait exceeds every other case's longest; ``none`` when the ranges leave it open.

    A larger ``shortest (h)`` alone does not establish a longer wait: if that case's range overlaps
    another's, the sources allow either to have been the longer, as the lesson's worked example says.
    """
    latency = first_public_latency(context["cases"]).dropna(subset=["shortest (h)"])  # a case with no public word has no wait
    if len(latency) < 2:
        return None
    longest = latency["shortest (h)"].idxmax()
    others = latency.drop(index=longest)
    return {longest} if (latency.loc[longest, "shortest (h)"] > others["longest (h)"]).all() else {NOT_ESTABLISHED}


def _certainly_after(case, context):
    latency = first_public_latency(context["cases"])
    return int((latency["after the trigger?"] == "yes").sum()) if len(latency) else None


def _most_inside(case, context):
    inside = inside_contradictions(context["cases"], context.get("include_implied", True))
    if len(inside) < 2 or not inside["pairs inside"].max():
        return None
    return set(inside.index[inside["pairs inside"] == inside["pairs inside"].max()])


QUESTIONS: dict[str, tuple[Question, ...]] = {
    "01": (
        Question(
            "paraphrases",
            "How many of the case's statements are known only through a reporter's paraphrase?",
            "number",
            _paraphrases,
            "count the paraphrase column of the first table, summed over the organisations",
        ),
        Question(
            "derived",
            "Give the id of one statement whose time is derived from data rather than reported.",
            "one of",
            _derived_times,
            "read the basis column of the statements table",
        ),
        Question(
            "unplaced",
            "Give the id of one statement that no source places in time.",
            "one of",
            _unplaced,
            "look at the last rows of the statements table, where the time is unknown and unbounded",
        ),
    ),
    "02": (
        Question(
            "hedges",
            "How many hedges does the lexicon find in the focus statement?",
            "number",
            _hedges,
            "count the marks tagged H in the close reading",
        ),
        Question(
            "passive",
            "Is any finite verb group of the focus statement in the passive voice? Answer yes or no.",
            "choice",
            _passive,
            "read the voice column of the grammar table",
        ),
        Question(
            "names-itself",
            "How many times does the focus statement name its own organisation in the third person?",
            "number",
            _names_itself,
            "hover over the self-mention marks in the close reading and read which row fired",
        ),
    ),
    "03": (
        Question(
            "order",
            "Do the sources establish that the organisation's internal decision came before its first press "
            "statement? Answer yes or no.",
            "choice",
            _decision_order,
            "read the certain order column of the discussion table, and what each end rests on",
        ),
        Question(
            "public-verdict",
            "Against the one-hour norm, what is the verdict on the organisation's first public word: "
            "within, beyond, or cannot tell?",
            "choice",
            _public_verdict,
            "read the row for the public audience in the table of norms and evidence",
        ),
    ),
    "04": (
        Question(
            "inside",
            "How many contradicting pairs lie inside the organisation, with implied stances counted as the parameters say?",
            "number",
            _inside_pairs,
            "count the rows of the first table of pairs",
        ),
        Question(
            "paraphrase",
            "Give the id of one statement whose stances rest on a reporter's paraphrase.",
            "one of",
            _paraphrase_stances,
            "look for rows marked (paraphrase) in the stance matrix",
        ),
        Question(
            "against-record",
            "How many stances go against the record?",
            "number",
            _against_record,
            "count the rows of the table of statements against the record",
        ),
    ),
    "05": (
        Question(
            "challenge",
            "In which SCCT cluster does a challenge sit?",
            "choice",
            _challenge_cluster,
            "read the crisis types column of the clusters table",
        ),
        Question(
            "missing",
            "How many of the six apology components does the example draft lack?",
            "number",
            _missing_components,
            "read the profile under the example draft",
        ),
        Question(
            "coded",
            "How many sentences does the reference coding code in the chosen scheme?",
            "number",
            _reference_sentences,
            "count the rows of the reference coding table",
        ),
    ),
    "06": (
        Question(
            "longest-wait",
            "Of the compared cases, in which do the sources establish that the public waited longest for "
            'the organisation\'s first word after the trigger? Give the case id, or answer "none" if they establish no case.',
            "one of",
            _longest_wait,
            "compare each case's shortest (h) with the other cases' longest (h) in the table "
            "of first public responses: a wait is certainly longer only if the ranges do not overlap",
        ),
        Question(
            "certainly-after",
            "In how many of the compared cases do the sources establish that the first public response came after the trigger?",
            "number",
            _certainly_after,
            "count the yes rows of the after the trigger? column",
        ),
        Question(
            "most-inside",
            "Which compared case has the most contradicting pairs inside its organisation? Give the case id.",
            "one of",
            _most_inside,
            "read the pairs inside column of the contradictions table",
        ),
    ),
}


def questions(lesson: str, case: Case, **context) -> list[tuple[Question, object]]:
    """The lesson's questions, each with its expected value for this case (never shown; None: the case cannot answer it)."""
    if lesson not in QUESTIONS:
        raise ParameterError(
            f"unknown lesson {lesson!r}{did_you_mean(lesson, QUESTIONS)}; the lessons are: {', '.join(QUESTIONS)}"
        )
    return [(question, question.expected(case, context)) for question in QUESTIONS[lesson]]


def _judge(question: Question, expected, answer) -> tuple[str, str]:
    if expected is None:
        return SKIPPED, SKIPPED
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return NOT_ANSWERED, NOT_ANSWERED
    if question.kind == "number":
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return "not yet", "not yet: give a number"
        right = abs(value - float(expected)) <= question.tolerance
    elif question.kind == "choice":
        right = str(answer).strip().casefold() == str(expected).casefold()
    else:
        right = str(answer).strip() in expected
    return (FITS, FITS) if right else ("not yet", f"not yet: {question.hint}")


def self_check(lesson: str, case: Case, answers: dict, **context) -> SelfCheck:
    """Feedback on a student's answers to one lesson's self-check (``answers``: question key -> answer or None)."""
    asked = questions(lesson, case, **context)
    keys = [q.key for q, _ in asked]
    unknown = [k for k in answers if k not in keys]
    if unknown:
        raise ParameterError(
            f"self-check {lesson}: unknown question {unknown[0]!r}{did_you_mean(unknown[0], keys)}; "
            f"the questions are: {', '.join(keys)}"
        )
    items = []
    for question, expected in asked:
        answer = answers.get(question.key)
        status, message = _judge(question, expected, answer)
        items.append(Feedback(question.key, question.prompt, answer, status, message))
    return SelfCheck(lesson, tuple(items))
