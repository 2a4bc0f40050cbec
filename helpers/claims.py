"""Claims and stances: the stance matrix, contradicting pairs, and statements against the record."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from .case import Case
from .errors import ParameterError, did_you_mean
from .queries import official, timeline_order
from .times import gap

# fmt: off
LABELS = {("affirms", "literal"): "affirms", ("denies", "literal"): "denies",
          ("affirms", "implied"): "implies", ("denies", "implied"): "implies the opposite"}
# fmt: on
SILENT = "silent"


def stances(case: Case, include_implied: bool = True) -> pd.DataFrame:
    """The stance rows with a display label, optionally without implicatures."""
    rows = case.stances.assign(label=[LABELS[(s, m)] for s, m in zip(case.stances["stance"], case.stances["mode"])])
    return rows if include_implied else rows[rows["mode"] == "literal"]


def check_claim(case: Case, claim: str) -> str:
    if claim not in case.claims.index:
        hint = did_you_mean(claim, case.claims.index)
        raise ParameterError(f"parameter 'claim': unknown claim {claim!r}{hint}; the case has: {', '.join(case.claims.index)}")
    return claim


def stance_matrix(case: Case, include_implied: bool = True) -> pd.DataFrame:
    """Statements (time order) x claims (file order): affirms / denies / implies / implies the opposite / silent."""
    rows = stances(case, include_implied)
    ordered = timeline_order(case.statements.loc[case.statements.index.isin(rows["statement_id"])])
    matrix = pd.DataFrame(SILENT, index=ordered.index, columns=case.claims.index, dtype="object")
    for _, row in rows.iterrows():
        matrix.loc[row["statement_id"], row["claim_id"]] = row["label"]
    matrix.index.name, matrix.columns.name = "statement", "claim"
    return matrix


_LAST = pd.Timestamp.max.tz_localize("UTC")


def _order_keys(case: Case) -> dict[str, tuple]:
    """Each statement's place in time order: by start then end, unplaced ones last, ties by id.

    Built once per call from the columns: looking rows up one by one with ``.loc`` cost notebook
    04 about half a second (a pandas lookup per statement per pair, for every pair).
    """
    statements = case.statements
    return {
        sid: (pd.isna(start), _LAST if pd.isna(start) else start, _LAST if pd.isna(start) else end, sid)
        for sid, start, end in zip(statements.index, statements["start"], statements["end"])
    }


def classify(first, second, case: Case) -> str:
    """'literal vs literal' / 'literal vs implied' / 'implied vs implied', plus the audiences when one is internal.

    ``first`` and ``second`` are stance rows (a Series or a dict with ``mode`` and ``statement_id``).
    """
    audiences = case.statements["audience"]
    return _kind(first["mode"], second["mode"], {audiences[first["statement_id"]], audiences[second["statement_id"]]})


def _kind(mode: str, other_mode: str, audiences: set[str]) -> str:
    modes = sorted([mode, other_mode], key=["literal", "implied"].index)
    kind = f"{modes[0]} vs {modes[1]}"
    if "internal" in audiences and audiences != {"internal"}:
        kind += ", public vs internal"
    elif audiences == {"internal"}:
        kind += ", internal vs internal"
    return kind


def contradictions(
    case: Case, claim: str | None = None, include_implied: bool = True, organisation_only: bool = False
) -> pd.DataFrame:
    """Every pair of statements taking opposite stances on one claim, earlier statement first.

    Ordered by claim (file order), then by the earlier statement's time, then the later one's;
    ties in time are broken by statement id, so the output never depends on file order.
    ``organisation_only`` keeps the pairs in which both statements speak for the case's
    organisation (``speaks_for``; an employee speaking for themself does not): where it
    contradicted itself. ``speak for`` says whom each side speaks for, and ``rests on a
    paraphrase`` which side, if any, is known only through a reporter's summary.
    """
    rows = stances(case, include_implied)
    if claim is not None:
        rows = rows[rows["claim_id"] == check_claim(case, claim)]
    if organisation_only:
        own = case.statements.index[official(case)]
        rows = rows[rows["statement_id"].isin(own)]
    out = []
    keys = _order_keys(case)
    info = case.statements[["speaker", "audience", "channel", "organisation", "speaks_for", "text_status"]].to_dict("index")
    for claim_number, claim_id in enumerate(case.claims.index):
        on_claim = rows[rows["claim_id"] == claim_id]
        affirm = on_claim[on_claim["stance"] == "affirms"].to_dict("records")
        deny = on_claim[on_claim["stance"] == "denies"].to_dict("records")
        for a in affirm:
            for d in deny:
                first, second = sorted([a, d], key=lambda r: keys[r["statement_id"]])
                s1, s2 = info[first["statement_id"]], info[second["statement_id"]]
                i1, i2 = case.interval(first["statement_id"], "statements"), case.interval(second["statement_id"], "statements")
                out.append(
                    {
                        "claim": claim_id,
                        "earlier": first["statement_id"],
                        "earlier speaker": s1["speaker"],
                        "earlier says": first["label"],
                        "earlier audience": s1["audience"],
                        "earlier channel": s1["channel"],
                        "earlier words": first["evidence"],
                        "later": second["statement_id"],
                        "later speaker": s2["speaker"],
                        "later says": second["label"],
                        "later audience": s2["audience"],
                        "later channel": s2["channel"],
                        "later words": second["evidence"],
                        "gap": str(gap(i1, i2)) if i1 is not None and i2 is not None else "unknown",
                        "kind": _kind(first["mode"], second["mode"], {s1["audience"], s2["audience"]}),
                        "same organisation": "yes" if s1["organisation"] == s2["organisation"] else "no",
                        "speak for": f"{s1['speaks_for']} / {s2['speaks_for']}",
                        "rests on a paraphrase": _paraphrase_side(s1["text_status"], s2["text_status"]),
                        "_key": (claim_number, keys[first["statement_id"]], keys[second["statement_id"]]),
                    }
                )
    columns = [
        "claim",
        "earlier",
        "earlier speaker",
        "earlier says",
        "earlier audience",
        "earlier channel",
        "earlier words",
        "later",
        "later speaker",
        "later says",
        "later audience",
        "later channel",
        "later words",
        "gap",
        "kind",
        "same organisation",
        "speak for",
        "rests on a paraphrase",
    ]
    if not out:
        return pd.DataFrame(columns=columns)
    out.sort(key=lambda row: row["_key"])
    return pd.DataFrame(out)[columns]


def _paraphrase_side(earlier_status: str, later_status: str) -> str:
    sides = [side for side, status in (("earlier", earlier_status), ("later", later_status)) if status == "paraphrase"]
    if not sides:
        return "no"
    return "yes: both statements" if len(sides) == 2 else f"yes: the {sides[0]} statement"


def against_record(case: Case, include_implied: bool = True) -> pd.DataFrame:
    """Stances that go against what the record shows (claims whose record is supported or contradicted)."""
    rows = stances(case, include_implied).merge(case.claims[["record", "record_note"]], left_on="claim_id", right_index=True)
    wrong = rows[
        ((rows["record"] == "supported") & (rows["stance"] == "denies"))
        | ((rows["record"] == "contradicted") & (rows["stance"] == "affirms"))
    ]
    wrong = wrong.assign(
        speaker=case.statements.loc[wrong["statement_id"], "speaker"].to_numpy(),
        audience=case.statements.loc[wrong["statement_id"], "audience"].to_numpy(),
    )
    claim_order = list(case.claims.index)
    keys = _order_keys(case)
    order = sorted(
        range(len(wrong)), key=lambda i: (claim_order.index(wrong["claim_id"].iloc[i]), keys[wrong["statement_id"].iloc[i]])
    )
    wrong = wrong.iloc[order]
    return wrong[["claim_id", "statement_id", "speaker", "audience", "label", "evidence", "record", "record_note"]].reset_index(
        drop=True
    )


def recode(
    case: Case,
    statement_id: str,
    claim_id: str,
    stance: str | None,
    mode: str = "literal",
    evidence: str = "",
    rationale: str = "recoded by a student",
) -> Case:
    """A copy of the case with one stance changed (``stance=None`` removes it: silent). Checked like the data files."""
    if statement_id not in case.statements.index:
        raise KeyError(f"unknown statement {statement_id!r}")
    check_claim(case, claim_id)
    rows = case.stances[~((case.stances["statement_id"] == statement_id) & (case.stances["claim_id"] == claim_id))]
    if stance is not None:
        if (stance, mode) not in LABELS:
            raise ValueError(f"stance must be 'affirms' or 'denies' and mode 'literal' or 'implied', got {stance!r}, {mode!r}")
        if not evidence or evidence not in case.statements.loc[statement_id, "text"]:
            raise ValueError(f"evidence {evidence!r} does not occur in the text of statement {statement_id!r}")
        new = pd.DataFrame(
            [
                {
                    "statement_id": statement_id,
                    "claim_id": claim_id,
                    "stance": stance,
                    "mode": mode,
                    "evidence": evidence,
                    "rationale": rationale,
                }
            ]
        )
        rows = pd.concat([rows, new], ignore_index=True)
    return replace(case, stances=rows.reset_index(drop=True))


def default_claim(case: Case, include_implied: bool = True) -> str:
    """The claim with the most contradicting pairs (ties: file order)."""
    table = contradictions(case, include_implied=include_implied)
    if not len(table):
        return case.claims.index[0]
    counts = table["claim"].value_counts()
    return max(case.claims.index, key=lambda c: (counts.get(c, 0), -list(case.claims.index).index(c)))
