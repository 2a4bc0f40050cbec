"""Response-strategy coding: the schemes, a student's coding against the reference, cue
suggestions from the wording analysis, and the analysis of a drafted statement (the drafting
lab that shows it is in ``helpers.widgets``)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .case import Case
from .csvfile import read_frame, read_rows
from .errors import CsvFileError, ParameterError, Problem, did_you_mean
from .paths import DATA_DIR
from .queries import teaching_text
from .text import split_sentences
from .wording import Analysis, analyse_text, load_lexicon

SCHEMES_DIR = DATA_DIR / "schemes"
SCHEMES = ("benoit", "scct", "apology")
CODING_COLUMNS = ("statement_id", "sentence", "strategy")
#: The columns each scheme file under data/schemes must have (its header row today).
STRATEGY_COLUMNS = ("scheme", "group", "strategy", "gloss", "citation")
CLUSTER_COLUMNS = ("cluster", "attributed_responsibility", "crisis_types", "posture_that_follows", "citation")
GUIDELINE_COLUMNS = ("guideline_id", "guideline", "citation", "note")
CUE_COLUMNS = ("lexicon_row", "scheme", "strategy", "why")


class CodingError(CsvFileError):
    """A student coding file that cannot be graded; ``problems`` name the file, line and column."""

    what = "coding file"


def load_strategies() -> pd.DataFrame:
    """Every scheme's strategies with a gloss and a citation (data/schemes/strategies.csv)."""
    return read_frame(SCHEMES_DIR / "strategies.csv", STRATEGY_COLUMNS)


def load_clusters() -> pd.DataFrame:
    """SCCT's crisis clusters and the posture that follows from each."""
    return read_frame(SCHEMES_DIR / "scct-clusters.csv", CLUSTER_COLUMNS).set_index("cluster")


def load_scct_guidelines() -> pd.DataFrame:
    """Coombs' guidelines for choosing SCCT strategies, paraphrased and cited (data/schemes/scct-guidelines.csv)."""
    return read_frame(SCHEMES_DIR / "scct-guidelines.csv", GUIDELINE_COLUMNS).set_index("guideline_id")


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise ParameterError(
            f"parameter 'scheme': unknown scheme {scheme!r}{did_you_mean(scheme, SCHEMES)}; the schemes are: {', '.join(SCHEMES)}"
        )
    return scheme


def scheme_table(scheme: str) -> pd.DataFrame:
    """One scheme's groups and strategies, glossed."""
    table = load_strategies()
    return table[table["scheme"] == check_scheme(scheme)].drop(columns="scheme").reset_index(drop=True)


def reference_coding(case: Case, scheme: str) -> pd.DataFrame:
    """The case's reference coding for one scheme, with each sentence's text."""
    coding = case.coding[case.coding["scheme"] == check_scheme(scheme)].copy()
    coding["sentence"] = coding["sentence"].astype(int)
    coding["sentence text"] = [sentence_text(case, sid, n) for sid, n in zip(coding["statement_id"], coding["sentence"])]
    return coding[["statement_id", "sentence", "sentence text", "strategy", "evidence", "rationale"]].reset_index(drop=True)


def sentence_text(case: Case, statement_id: str, number: int) -> str:
    text = case.statements.loc[statement_id, "text"]
    start, end = split_sentences(text)[number - 1]
    return text[start:end]


# --------------------------------------------------------------------------- a student's coding


def load_student_coding(path: str | Path, case: Case, scheme: str) -> pd.DataFrame:
    """Read a student's coding (CSV: statement_id, sentence, strategy) and check it against the reference items.

    Every problem is reported with its line: a missing column, a blank or non-numeric sentence, an
    unknown strategy (with the closest allowed one), a sentence the reference does not code, a
    duplicate, and every reference sentence the file leaves uncoded.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ParameterError(f"parameter 'student_coding': file not found: {path}")
    allowed = list(load_strategies().query("scheme == @scheme")["strategy"])
    reference = reference_coding(case, scheme)
    expected = {(s, int(n)) for s, n in zip(reference["statement_id"], reference["sentence"])}
    problems: list[Problem] = []
    try:
        _, records = read_rows(path, CODING_COLUMNS)
    except CsvFileError as exc:
        raise CodingError(path, exc.problems) from None
    rows, seen = [], {}
    for row in records:
        line, record = row.line, row.values
        sid, number, strategy = record["statement_id"], record["sentence"], record["strategy"]
        label = f"statement_id={sid}" if sid else None
        if not number.isdigit():
            problems.append(
                Problem(name, f"sentence must be a whole number, got {number!r}", line=line, column="sentence", row_id=label)
            )
            continue
        key = (sid, int(number))
        if strategy not in allowed:
            close = difflib.get_close_matches(strategy, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                Problem(
                    name,
                    f"unknown {scheme} strategy {strategy!r}{hint} (allowed: {', '.join(allowed)})",
                    line=line,
                    column="strategy",
                    row_id=label,
                )
            )
        if key not in expected:
            problems.append(
                Problem(
                    name,
                    f"statement {sid!r} sentence {number} is not one of the sentences to code",
                    line=line,
                    column="statement_id",
                    row_id=label,
                )
            )
        elif key in seen:
            problems.append(
                Problem(name, f"sentence coded twice (first at line {seen[key]})", line=line, column="sentence", row_id=label)
            )
        seen.setdefault(key, line)
        rows.append({"statement_id": sid, "sentence": int(number), "strategy": strategy})
    for sid, number in sorted(expected - set(seen)):
        problems.append(Problem(name, f"statement {sid!r} sentence {number} is not coded"))
    if problems:
        raise CodingError(path, problems)
    return pd.DataFrame(rows, columns=["statement_id", "sentence", "strategy"])


def cohen_kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa for two codings of the same items: (observed - chance) / (1 - chance)."""
    if len(first) != len(second) or not first:
        raise ValueError("kappa needs two codings of the same, non-empty list of items")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    categories = set(first) | set(second)
    chance = sum((first.count(c) / n) * (second.count(c) / n) for c in categories)
    if chance == 1:
        return 1.0  # both coders used one and the same category throughout
    return (observed - chance) / (1 - chance)


def agreement(case: Case, scheme: str, student: pd.DataFrame) -> dict:
    """Percent agreement, Cohen's kappa, a confusion table and the sentences that differ."""
    reference = reference_coding(case, scheme)
    merged = reference.merge(student, on=["statement_id", "sentence"], suffixes=(" (reference)", " (student)"))
    ours, theirs = list(merged["strategy (reference)"]), list(merged["strategy (student)"])
    confusion = pd.crosstab(merged["strategy (reference)"], merged["strategy (student)"])
    differ = merged[merged["strategy (reference)"] != merged["strategy (student)"]]
    return {
        "sentences": len(merged),
        "percent agreement": round(100 * sum(a == b for a, b in zip(ours, theirs)) / len(merged), 1),
        "kappa": round(cohen_kappa(ours, theirs), 3),
        "confusion": confusion,
        "differences": differ[
            ["statement_id", "sentence", "sentence text", "strategy (reference)", "strategy (student)", "rationale"]
        ].reset_index(drop=True),
    }


# --------------------------------------------------------------------------- cue suggestions


def load_cues() -> pd.DataFrame:
    return read_frame(SCHEMES_DIR / "cues.csv", CUE_COLUMNS)


def suggest_codes(case: Case, scheme: str, lexicon=None) -> pd.DataFrame:
    """For each reference sentence, the strategy the wording cues suggest, with the words that fired.

    A suggestion is a prompt to read, not a code: the student accepts or rejects it.
    """
    lexicon = lexicon or load_lexicon()
    cues = load_cues()
    cues = cues[cues["scheme"] == check_scheme(scheme)]
    order = {row_id: i for i, row_id in enumerate(cues["lexicon_row"])}
    rows = []
    for _, item in reference_coding(case, scheme).iterrows():
        text = item["sentence text"]
        matches = [m for m in analyse_text(text, lexicon, case.names).matches if m.row_id in order]
        matches.sort(key=lambda m: (order[m.row_id], m.start))
        if matches:
            cue = cues.iloc[order[matches[0].row_id]]
            rows.append(
                {
                    "statement_id": item["statement_id"],
                    "sentence": item["sentence"],
                    "suggestion": cue["strategy"],
                    "evidence": matches[0].text,
                    "lexicon row": matches[0].row_id,
                    "why": cue["why"],
                }
            )
        else:
            rows.append(
                {
                    "statement_id": item["statement_id"],
                    "sentence": item["sentence"],
                    "suggestion": "none",
                    "evidence": "",
                    "lexicon row": "",
                    "why": "no cue in the wording",
                }
            )
    return pd.DataFrame(rows)


def accept_suggestions(suggestions: pd.DataFrame, rejected: dict[tuple[str, int], str] | None = None) -> pd.DataFrame:
    """A coding from the suggestions, with the student's own code wherever a suggestion is rejected."""
    coding = suggestions[["statement_id", "sentence"]].copy()
    coding["strategy"] = [
        (rejected or {}).get((sid, n), suggestion)
        for sid, n, suggestion in zip(suggestions["statement_id"], suggestions["sentence"], suggestions["suggestion"])
    ]
    return coding


# --------------------------------------------------------------------------- drafting lab

# fmt: off
APOLOGY_SUBCATEGORIES = (
    "expression of regret", "explanation", "acknowledgment of responsibility",
    "declaration of repentance", "offer of repair", "request for forgiveness",
)
# fmt: on


#: The drafting lab's example for a case whose teaching text has none: it names only the case's own organisation.
GENERIC_DRAFT = (
    "We have heard the concerns raised about this today, and we take them seriously. "
    "We are checking the facts now, and we will not guess at them before we know them. "
    "{organisation} will tell its staff and the public what it has decided, and why, by noon tomorrow."
)


def example_draft(case: Case) -> str:
    """The drafting lab's example draft: the case's own (teaching.csv, lesson 05), else a generic one."""
    return teaching_text(case, "05", "example-draft") or GENERIC_DRAFT.format(organisation=case.organisation)


@dataclass(frozen=True)
class DraftReport:
    """A drafted statement analysed like the real ones (``analyse_draft``); ``rows`` is what the drafting lab shows."""

    words: int
    sentences: int
    apology_present: tuple[str, ...]  # the apology components, in ``APOLOGY_SUBCATEGORIES`` order
    apology_missing: tuple[str, ...]
    hedges: int
    negations: int  # denials and negations
    self_mentions: int
    responsibility_markers: int
    agentless_passives: int
    subjects: str  # each subject of a verb group with its count, or "none found"
    tenses: str  # the tenses in order of first use, or "none found"
    refusal_phrasing: str  # "no comment" and its kin found in the draft, or "none"
    analysis: Analysis

    def rows(self) -> list[tuple[str, int | str]]:
        """(measure, value) for each line of the drafting lab's profile, in its order."""
        return [
            ("words", self.words),
            ("sentences", self.sentences),
            ("apology components present", ", ".join(self.apology_present)),
            ("apology components missing", ", ".join(self.apology_missing)),
            ("hedges", self.hedges),
            ("denials and negations", self.negations),
            ("self-mention", self.self_mentions),
            ("responsibility markers", self.responsibility_markers),
            ("agentless passives", self.agentless_passives),
            ("subjects", self.subjects),
            ("tenses", self.tenses),
            ("refusal phrasing", self.refusal_phrasing),
        ]


def analyse_draft(case: Case, text: str, lexicon=None) -> DraftReport:
    """A drafted statement analysed like the real ones: components present and missing, markers, grammar."""
    lexicon = lexicon or load_lexicon()
    analysis = analyse_text(text, lexicon, case.names)
    present = {m.subcategory for m in analysis.matches if m.category == "apology"}
    counts = analysis.counts(lexicon.categories)
    subjects = pd.Series([g.subject for g in analysis.groups], dtype="object").value_counts()
    banned = [phrase for phrase in ("no comment", "we do not comment", "we don't comment") if phrase in text.lower()]
    return DraftReport(
        words=analysis.words,
        sentences=len(analysis.sentences),
        apology_present=tuple(c for c in APOLOGY_SUBCATEGORIES if c in present),
        apology_missing=tuple(c for c in APOLOGY_SUBCATEGORIES if c not in present),
        hedges=counts.get("hedge", 0),
        negations=counts.get("negation", 0),
        self_mentions=counts.get("self_mention", 0),
        responsibility_markers=counts.get("responsibility", 0),
        agentless_passives=sum(m.subcategory == "agentless passive" for m in analysis.matches),
        subjects=", ".join(f"{k} {v}" for k, v in subjects.items()) or "none found",
        tenses=", ".join(dict.fromkeys(g.tense for g in analysis.groups)) or "none found",
        refusal_phrasing=", ".join(banned) or "none",
        analysis=analysis,
    )
