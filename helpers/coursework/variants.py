"""Per-student variants: which statement, claim, pair of events or time zone a student works on.

A variant follows from the exercise id and the student id alone (a SHA-256 of both seeds the
choice), so the student's notebook and the grader, each in its own process, arrive at the same
one, and the grader never has to ask the student's kernel which variant it ran. The choices are
computed from the case data, so a case with other statements gets variants of its own.
"""

from __future__ import annotations

import hashlib
import random
import re

from ..case import Case, load_case
from ..claims import against_record, stances
from ..coding import load_clusters, load_strategies
from ..queries import organisation_statement_ids, timeline_order
from ..schema import TABLES
from ..timeline import default_anchor, load_norms, response_times
from ..wording import analyse_text, load_lexicon

#: Student ids: a student number, a login or an email address; nothing that could be a path.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")

#: The id a student notebook holds until the student types their own.
PLACEHOLDER_ID = "demo"

#: Zones a timing variant may ask for besides the case's own: ones a class is likely to meet.
OTHER_ZONES = ("UTC", "America/Toronto", "Europe/London", "Australia/Sydney")

#: Precisions narrow enough to time a gap between two events in minutes.
TIMED = ("second", "minute", "hour", "part_of_day")


class VariantError(ValueError):
    """A student id or exercise id that cannot give a variant."""


def check_student_id(student_id: str) -> str:
    if not isinstance(student_id, str) or not STUDENT_ID.match(student_id.strip()):
        raise VariantError(
            f"student_id {student_id!r} is not a valid id: use 1-64 letters, digits, '.', '_', '-', '@' or '+', "
            "starting with a letter or digit"
        )
    return student_id


def canonical(student_id: str) -> str:
    """Ids compare, and seed variants, without case or surrounding space: "S1234567 " is s1234567."""
    return student_id.strip().casefold()


def _rng(exercise: str, student_id: str) -> random.Random:
    digest = hashlib.sha256(f"{exercise}\x00{canonical(student_id)}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def wording_statements(case: Case) -> list[str]:
    """The organisation's verbatim statements with at least one negation and one finite verb."""

    lexicon = load_lexicon()
    chosen = []
    for sid in organisation_statement_ids(case):
        analysis = analyse_text(case.statements.loc[sid, "text"], lexicon, case.organisation)
        if analysis.groups and any(m.category == "negation" for m in analysis.matches):
            chosen.append(sid)
    return chosen


def timed_events(case: Case) -> list[str]:
    """Events timed closely enough to measure gaps in minutes, in time order."""

    events = case.events[case.events["start"].notna() & case.events["time_precision"].isin(TIMED)]
    return list(timeline_order(events).index)


def contested_claims(case: Case) -> list[str]:
    """Claims that at least one statement affirms and at least one denies (literally or by implication)."""

    table = stances(case, include_implied=True)
    affirmed = set(table.loc[table["stance"] == "affirms", "claim_id"])
    denied = set(table.loc[table["stance"] == "denies", "claim_id"])
    return [claim for claim in case.claims.index if claim in affirmed and claim in denied]


def zones(case: Case) -> list[str]:
    """The zones a timing variant may ask for: the case's own, then others a class is likely to meet."""
    return list(dict.fromkeys([case.timezone, *OTHER_ZONES]))


def _choose(options: list, rng: random.Random, lacking: str):
    if not options:
        raise VariantError(lacking)
    return rng.choice(options)


def _wording(case: Case, rng: random.Random) -> dict:
    statement = _choose(
        wording_statements(case),
        rng,
        f"case {case.case_id!r} has no verbatim statement of the organisation "
        "with a negation and a finite verb, which the wording exercise asks about",
    )
    return {"statement": statement}


def _timing(case: Case, rng: random.Random) -> dict:
    events = timed_events(case)
    start = case.events["start"]
    precise = [
        e
        for e in events
        if case.events.loc[e, "time_precision"] in ("second", "minute") and any(start[later] > start[e] for later in events)
    ]
    first = _choose(
        precise,
        rng,
        f"case {case.case_id!r} has no event timed to the minute followed by a later timed event, "
        "which the timing exercise measures from",
    )
    later = [e for e in events[events.index(first) + 1 :] if start[e] > start[first]]
    # Prefer what the organisation and the press did over one more petition milestone.
    later = [e for e in later if case.events.loc[e, "kind"] != "petition"] or later
    variant = {"from_event": first, "to_event": rng.choice(later), "zone": rng.choice(zones(case))}
    # Drawn after the first three, so adding questions did not change any student's first variant.
    decision, statement = _choose(
        decision_pairs(case),
        rng,
        f"case {case.case_id!r} has no timed internal decision (a "
        "company-decision event) and no timed statement of the organisation to the press or public, "
        "whose gap the timing exercise measures",
    )
    variant.update(decision_event=decision, statement_event=statement)
    variant["moment"] = _choose(
        moments(case),
        rng,
        f"case {case.case_id!r} has no statement of the organisation to the press or "
        "public whose latest possible time lies within the case's timeline",
    )

    audiences = list(response_times(case, default_anchor(case)).index)
    variant["norm_audience"] = _choose(
        audiences,
        rng,
        f"case {case.case_id!r} has no statement of the organisation that the "
        "timing exercise can hold against a response-time norm",
    )
    variant["figure"] = rng.choice(figures(case))
    return variant


def decision_pairs(case: Case) -> list[tuple[str, str]]:
    """(internal decision event, statement event of the organisation to the press or public), both timed."""
    events = case.events[case.events["start"].notna()]
    decisions = sorted(events.index[events["kind"] == "company-decision"])
    statements = sorted(events.index[(events["kind"] == "company-statement") & events["audience"].isin(("press", "public"))])
    return [(d, s) for d in decisions for s in statements]


def moments(case: Case) -> list[str]:
    """Moments to ask "what was public by then?" about: when each of the organisation's statements to the
    press or public had certainly been made, written ``YYYY-MM-DD HH:MM:SS`` in the case's own zone."""
    statements = case.statements
    own = statements[
        (statements["speaks_for"] == "organisation")
        & statements["audience"].isin(("press", "public"))
        & statements["end"].notna()
    ]
    first, last = case.events["start"].min(), case.events["end"].max()
    ends = sorted({end for end in own["end"] if first <= end <= last})
    return [end.tz_convert(case.timezone).strftime("%Y-%m-%d %H:%M:%S") for end in ends]


def figures(case: Case) -> list[str]:
    """Labels of figures a student sorts into norm, survey and evidence: the published norms and the
    case's own numbers, money amounts and dates."""

    facts = case.facts[case.facts["value_type"].isin(("number", "money", "date"))]
    return sorted(set(load_norms()["label"]) | set(facts["label"]))


def _contradictions(case: Case, rng: random.Random) -> dict:
    claim = _choose(
        contested_claims(case),
        rng,
        f"case {case.case_id!r} has no claim that one statement affirms and another "
        "denies, which the contradictions exercise asks about",
    )
    statement = _choose(
        misleading_statements(case),
        rng,
        f"case {case.case_id!r} has no statement that goes against the "
        "record (stances.csv and the claims' record), which the contradictions exercise asks about",
    )
    return {"claim": claim, "statement": statement}


def misleading_statements(case: Case) -> list[str]:
    """Statements in the speaker's words with a stance, literal or implied, that goes against the record."""

    table = against_record(case, include_implied=True)
    quoted = case.statements.index[case.statements["text_status"] != "paraphrase"]
    return sorted(set(table["statement_id"]) & set(quoted))


def _strategies(case: Case, rng: random.Random) -> dict:

    scheme = rng.choice(("benoit", "scct"))
    table = load_strategies()
    strategies = table[(table["scheme"] == scheme) & (table["strategy"] != "none")]["strategy"]
    variant = {"scheme": scheme, "strategy": rng.choice(sorted(strategies))}
    # Drawn after the first two, so adding questions did not change any student's first variant.
    variant["cluster"] = rng.choice(sorted(load_clusters().index))
    items = coding_items(case)
    if not items:
        raise VariantError(
            f"case {case.case_id!r} has no sentence coded with both the {' and '.join(CODED_SCHEMES)} schemes in its "
            "reference coding (coding.csv), which the strategies exercise's coding form asks students to code"
        )
    by_statement: dict[str, int] = {}
    for statement, _ in items:
        by_statement[statement] = by_statement.get(statement, 0) + 1
    chosen, total = [], 0
    for statement in rng.sample(sorted(by_statement), len(by_statement)):
        if total >= CODING_SENTENCES:
            break
        chosen.append(statement)
        total += by_statement[statement]
    variant["coding_statements"] = sorted(chosen)
    return variant


#: The schemes students code with the coding form, and about how many sentences each codes.
CODED_SCHEMES = ("benoit", "apology")
CODING_SENTENCES = 6


def coding_items(case: Case) -> list[tuple[str, int]]:
    """(statement, sentence) pairs that the reference codes with every scheme of the coding form."""
    coding = case.coding
    if coding.empty:
        return []
    keys = [
        set(
            zip(
                coding.loc[coding["scheme"] == scheme, "statement_id"],
                coding.loc[coding["scheme"] == scheme, "sentence"].astype(int),
            )
        )
        for scheme in CODED_SCHEMES
    ]
    return sorted(set.intersection(*keys))


def _provenance(case: Case, rng: random.Random) -> dict:
    statements = case.statements
    by_status = {
        status: sorted(statements.index[statements["text_status"] == status]) for status in ("verbatim", "fragment", "paraphrase")
    }
    if not by_status["paraphrase"] or not (by_status["verbatim"] or by_status["fragment"]):
        raise VariantError(
            f"case {case.case_id!r} needs at least one paraphrase and one quoted statement (statements.csv, "
            "text_status) for the provenance exercise to ask which passages may be quoted"
        )
    passages = [rng.choice(ids) for ids in by_status.values() if ids]
    passages += rng.sample(sorted(set(statements.index) - set(passages)), min(2, len(statements) - len(passages)))
    placed = statements[statements["start"].notna()]
    inferred = sorted(placed.index[placed["time_basis"] == "inferred"])
    other = sorted(placed.index[placed["time_basis"] != "inferred"])
    if not inferred or not other:
        raise VariantError(
            f"case {case.case_id!r} needs statements placed in time both by inference and otherwise "
            "(statements.csv, time_basis) for the provenance exercise to ask which times rest on inference"
        )
    derived = sorted(placed.index[placed["time_basis"] == "derived"])
    times = [rng.choice(inferred), rng.choice(derived or other)]
    times += rng.sample(sorted(set(placed.index) - set(times)), min(2, len(placed) - len(times)))
    claims = case.claims
    open_claims, settled = (
        sorted(claims.index[claims["record"] == "unknown"]),
        sorted(claims.index[claims["record"] != "unknown"]),
    )
    if not open_claims or not settled:
        raise VariantError(
            f"case {case.case_id!r} needs claims the record settles and claims it leaves open (claims.csv, record) "
            "for the provenance exercise to ask which stay open"
        )
    chosen = [rng.choice(open_claims), rng.choice(settled)]
    chosen += rng.sample(sorted(set(claims.index) - set(chosen)), min(2, len(claims) - len(chosen)))
    return {"passages": sorted(passages), "times": sorted(times), "claims": sorted(chosen)}


BUILDERS = {
    "provenance": _provenance,
    "wording": _wording,
    "timing": _timing,
    "contradictions": _contradictions,
    "strategies": _strategies,
}


def assign(exercise: str, student_id: str, case: Case | None = None) -> dict:
    """The variant of ``exercise`` for ``student_id`` (deterministic)."""
    if exercise not in BUILDERS:
        raise VariantError(f"unknown exercise {exercise!r}; known: {', '.join(BUILDERS)}")
    check_student_id(student_id)
    return BUILDERS[exercise](case or load_case(), _rng(exercise, student_id))


def check_case(exercise: str, case: Case, requires: list[str] = ()) -> None:
    """Raise ``VariantError`` naming what ``case`` lacks for ``exercise``, before anyone is graded.

    ``requires`` lists the optional case files the exercise needs (its key says which, e.g.
    ``coding.csv``); every pool its variants draw from must be non-empty too.
    """
    for file in requires:
        table = next((name for name, spec in TABLES.items() if spec.file == file), None)
        if table is None:
            raise VariantError(f"exercise {exercise!r} requires {file!r}, which is not a case file (see data/README.md)")
        if getattr(case, table).empty:
            raise VariantError(
                f"exercise {exercise!r} needs {file}, which case {case.case_id!r} does not have ({case.path / file})"
            )
    assign(exercise, PLACEHOLDER_ID, case)
