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

from ..case import TABLES, Case, load_case

#: Student ids: a student number, a login or an email address; nothing that could be a path.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")

#: The id a student notebook holds until the student types their own.
PLACEHOLDER_ID = "demo"

#: Zones a timing variant may ask for besides the case's own: ones a class is likely to meet.
OTHER_ZONES = ("UTC", "America/Toronto", "Europe/London", "Australia/Sydney", "America/Vancouver")

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
    from ..queries import organisation_statement_ids
    from ..wording import analyse_text, load_lexicon

    lexicon = load_lexicon()
    chosen = []
    for sid in organisation_statement_ids(case):
        analysis = analyse_text(case.statements.loc[sid, "text"], lexicon, case.organisation)
        if analysis.groups and any(m.category == "negation" for m in analysis.matches):
            chosen.append(sid)
    return chosen


def timed_events(case: Case) -> list[str]:
    """Events timed closely enough to measure gaps in minutes, in time order."""
    from ..queries import timeline_order

    events = case.events[case.events["start"].notna() & case.events["time_precision"].isin(TIMED)]
    return list(timeline_order(events).index)


def contested_claims(case: Case) -> list[str]:
    """Claims that at least one statement affirms and at least one denies (literally or by implication)."""
    from ..claims import stances

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
    statement = _choose(wording_statements(case), rng, f"case {case.case_id!r} has no verbatim statement of the organisation "
                        "with a negation and a finite verb, which the wording exercise asks about")
    return {"statement": statement}


def _timing(case: Case, rng: random.Random) -> dict:
    events = timed_events(case)
    start = case.events["start"]
    precise = [e for e in events if case.events.loc[e, "time_precision"] in ("second", "minute")
               and any(start[later] > start[e] for later in events)]
    first = _choose(precise, rng, f"case {case.case_id!r} has no event timed to the minute followed by a later timed event, "
                    "which the timing exercise measures from")
    later = [e for e in events[events.index(first) + 1:] if start[e] > start[first]]
    # Prefer what the organisation and the press did over one more petition milestone.
    later = [e for e in later if case.events.loc[e, "kind"] != "petition"] or later
    return {"from_event": first, "to_event": rng.choice(later), "zone": rng.choice(zones(case))}


def _contradictions(case: Case, rng: random.Random) -> dict:
    claim = _choose(contested_claims(case), rng, f"case {case.case_id!r} has no claim that one statement affirms and another "
                    "denies, which the contradictions exercise asks about")
    return {"claim": claim}


def _strategies(case: Case, rng: random.Random) -> dict:
    from ..coding import load_strategies

    scheme = rng.choice(("benoit", "scct"))
    table = load_strategies()
    strategies = table[(table["scheme"] == scheme) & (table["strategy"] != "none")]["strategy"]
    return {"scheme": scheme, "strategy": rng.choice(sorted(strategies))}


BUILDERS = {"wording": _wording, "timing": _timing, "contradictions": _contradictions, "strategies": _strategies}


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
            raise VariantError(f"exercise {exercise!r} needs {file}, which case {case.case_id!r} does not have ({case.path / file})")
    assign(exercise, PLACEHOLDER_ID, case)
