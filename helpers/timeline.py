"""One timeline for events and statements: gaps with their uncertainty, and what was public when."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd

from .case import Case
from .csvfile import read_frame
from .errors import ParameterError, did_you_mean
from .paths import DATA_DIR
from .queries import (
    first_press_statement,
    first_response_event,
    official,
    teaching_notes,
    timeline_order,
    trigger_event,
    unplaced_rivals,
    when,
)
from .times import gap, get_zone, snowflake_time, to_zone

COMMUNICATION_KINDS = ("employee-activism", "company-decision", "company-statement", "agency-statement")


def timeline(case: Case) -> pd.DataFrame:
    """Every event, and every statement no event stands for, in time order on one table."""
    events = case.events.assign(item=case.events.index, table="events", label=case.events["title"])
    linked = set(case.events["statement_id"]) - {""}
    loose = case.statements[~case.statements.index.isin(linked)]
    statements = loose.assign(
        item=loose.index,
        table="statements",
        kind="statement",
        label=loose["speaker"] + ": " + loose["text"].str.slice(0, 80),
        actor=loose["speaker"],
        statement_id=loose.index,
    )
    columns = [
        "item",
        "table",
        "label",
        "kind",
        "actor",
        "audience",
        "statement_id",
        "time_precision",
        "time_basis",
        "start",
        "end",
    ]
    combined = pd.concat([events[columns], statements[columns]], ignore_index=True)
    combined = combined.set_index("item", drop=False)
    return timeline_order(combined).reset_index(drop=True)


def check_event(case: Case, event_id: str, parameter: str = "anchor_event") -> str:
    """``event_id`` if the case has it with a known time; otherwise an error listing valid ids."""
    placed = case.events[case.events["start"].notna()]
    if event_id not in placed.index:
        reason = (
            "has no known time"
            if event_id in case.events.index
            else f"is not an event of this case{did_you_mean(event_id, placed.index)}"
        )
        raise ParameterError(
            f"parameter {parameter!r}: {event_id!r} {reason}; events with a known time: {', '.join(placed.index)}"
        )
    return event_id


def default_anchor(case: Case) -> str:
    """The event gaps are measured from by default: the case's trigger event (``queries.trigger_event``)."""
    return trigger_event(case)


def order_label(result) -> str:
    """Whether the sources establish that the second item came after the first, in words."""
    if result.certain_order:
        return "yes"
    return "no: the second came first" if result.longest <= pd.Timedelta(0) else "no: may overlap"


def gap_row(case: Case, a: str, b: str, table_a: str = "events", table_b: str = "events") -> dict:
    """The gap from item ``a`` to item ``b`` as [shortest, longest], with each end's precision and basis."""
    first, second = case.interval(a, table_a), case.interval(b, table_b)
    frame_a, frame_b = getattr(case, table_a), getattr(case, table_b)
    result = gap(first, second)
    return {
        "from": a,
        "to": b,
        "shortest": result.shortest,
        "longest": result.longest,
        "gap": str(result),
        "certain order": order_label(result),
        "from basis": f"{frame_a.loc[a, 'time_precision']}, {frame_a.loc[a, 'time_basis']}",
        "to basis": f"{frame_b.loc[b, 'time_precision']}, {frame_b.loc[b, 'time_basis']}",
        "from as reported": frame_a.loc[a, "time_as_reported"] or "not stated",
        "to as reported": frame_b.loc[b, "time_as_reported"] or "not stated",
    }


def gap_table(case: Case, pairs) -> pd.DataFrame:
    """Gaps for (from event, to event) pairs, as the rows ``gap_row`` gives, without the raw timedeltas.

    Beside the modelled range, each row says how the sources themselves put the two times, so a
    reader can tell what the range rests on: a reported time, or a bound the data adds.
    """
    rows = [gap_row(case, a, b) for a, b in pairs]
    return pd.DataFrame(
        rows, columns=["from", "to", "gap", "certain order", "from basis", "to basis", "from as reported", "to as reported"]
    )


def decision_and_first_press_event(case: Case, decision_event: str = "", response_event: str = "") -> tuple[str, str] | None:
    """The internal decision and the organisation's first statement to the press or public, as two events.

    The decision is ``decision_event``, else the ``company-decision`` event that lesson 03's
    discussion note names (teaching.csv), else the first timed ``company-decision`` event. The
    response is ``response_event``, else the event of the first press statement. None when the
    case has no such pair.
    """
    if decision_event:
        check_event(case, decision_event, "decision_event")
    if response_event:
        check_event(case, response_event, "response_event")
    decisions = timeline_order(case.events[(case.events["kind"] == "company-decision") & case.events["start"].notna()])
    noted = (
        [about for about in teaching_notes(case, "03", "discussion")["about"] if about in decisions.index]
        if len(case.teaching)
        else []
    )
    decision = decision_event or (noted[0] if noted else decisions.index[0] if len(decisions) else None)
    press = response_event or first_response_event(case)
    if press is not None and case.interval(press, "events") is None:
        press = None
    return (decision, press) if decision and press else None


def gaps_from(case: Case, anchor_event: str, display_timezone: str | None = None, kinds=COMMUNICATION_KINDS) -> pd.DataFrame:
    """Each communication event after the anchor: when, and the gap from the anchor and from the previous one."""
    check_event(case, anchor_event)
    zone = display_timezone or case.timezone
    anchor_start = case.events.loc[anchor_event, "start"]
    events = timeline_order(case.events[case.events["start"].notna()])
    chosen = events[(events["kind"].isin(kinds) & (events["end"] > anchor_start)) | (events.index == anchor_event)]
    rows, previous = [], None
    for event_id, event in chosen.iterrows():
        from_anchor = gap(case.interval(anchor_event, "events"), case.interval(event_id, "events"))
        rows.append(
            {
                "event": event_id,
                f"when ({zone})": when(case, event_id, zone, "events"),
                "what": event["title"],
                "audience": event["audience"] or "—",
                "basis": f"{event['time_precision']}, {event['time_basis']}",
                "from anchor": "anchor" if event_id == anchor_event else str(from_anchor),
                "from previous row": str(gap(case.interval(previous, "events"), case.interval(event_id, "events")))
                if previous
                else "",
            }
        )
        previous = event_id
    return pd.DataFrame(rows).set_index("event")


# --------------------------------------------------------------------------- what was public when


def parse_as_of(case: Case, as_of: str, display_timezone: str | None = None) -> pd.Timestamp:
    """A moment written ``YYYY-MM-DD HH:MM`` (read in the display zone) or with a UTC offset.

    It must lie within the case's timeline; the error says which span is valid.
    """
    zone = get_zone(display_timezone or case.timezone)
    text = (as_of or "").strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?$", text):
        raise ParameterError(
            f"parameter 'as_of': {as_of!r} is not a time written 'YYYY-MM-DD HH:MM' (in the display zone) or with an offset"
        )
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError as exc:
        raise ParameterError(f"parameter 'as_of': {as_of!r} is not a valid time ({exc})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    stamp = pd.Timestamp(moment).tz_convert("UTC")
    first, last = case.events["start"].min(), case.events["end"].max()
    if not first <= stamp <= last:
        raise ParameterError(
            f"parameter 'as_of': {as_of!r} is outside the case, which runs from "
            f"{to_zone(first.to_pydatetime(), zone):%Y-%m-%d %H:%M} to {to_zone(last.to_pydatetime(), zone):%Y-%m-%d %H:%M} {zone.key}"
        )
    return stamp


def default_as_of(case: Case) -> pd.Timestamp:
    """The moment by which the organisation's first statement to the press had certainly been made.

    A case with no such statement is viewed as of the latest time any of its statements can have
    been made, so the view shows all that was said, and its heading says when that is.
    """
    first = first_press_statement(case)
    return case.statements.loc[first, "end"] if first is not None else case.statements["end"].max()


def statement_status(case: Case, as_of: pd.Timestamp) -> pd.Series:
    """For each statement: 'made' (certainly by ``as_of``), 'maybe made' or 'not yet' ('unknown' if it cannot be placed)."""
    start, end = case.statements["start"], case.statements["end"]
    placed = start.notna().to_numpy()
    made = placed & (end <= as_of).to_numpy()
    maybe = placed & (start <= as_of).to_numpy() & (end > as_of).to_numpy()
    not_yet = placed & (start > as_of).to_numpy()
    # the first condition that holds wins, so 'not yet' before 'maybe made' before 'made'
    chosen = np.select([not_yet, maybe, made], ["not yet", "maybe made", "made"], default="unknown")
    return pd.Series(chosen, index=case.statements.index, dtype="object")


def said_before(case: Case, statement_id: str, display_timezone: str | None = None) -> pd.DataFrame:
    """Everything said, by anyone, that certainly or possibly came before one statement.

    "certainly before" ends before the statement can have begun; "maybe before" overlaps it, so the
    sources cannot tell the order. It answers "what could the speaker have known?" as far as the
    record goes: what was public, and what the organisation had told its own staff.
    """
    if statement_id not in case.statements.index:
        raise ParameterError(f"unknown statement {statement_id!r}{did_you_mean(statement_id, case.statements.index)}")
    zone = display_timezone or case.timezone
    focus = case.statements.loc[statement_id]
    others = case.statements.drop(index=statement_id)
    others = others[others["start"].notna()]
    certainly = others["end"] <= focus["start"]
    maybe = ~certainly & (others["start"] < focus["end"]) & (others["end"] > focus["start"])
    shown = timeline_order(others[certainly | maybe])
    table = pd.DataFrame(
        {
            "before it?": ["certainly before" if certainly[sid] else "maybe before" for sid in shown.index],
            f"when ({zone})": [when(case, sid, zone) for sid in shown.index],
            "speaker": shown["speaker"],
            "audience": shown["audience"],
            "status": shown["text_status"],
            "text": shown["text"],
        },
        index=shown.index,
    )
    table.index.name = "statement"
    return table


def public_at(case: Case, as_of: pd.Timestamp, display_timezone: str | None = None) -> pd.DataFrame:
    """Statements made (or maybe made) by ``as_of``, public and internal, in time order."""
    return _public_table(case, statement_status(case, as_of), display_timezone or case.timezone)


def _public_table(case: Case, status: pd.Series, zone: str) -> pd.DataFrame:
    """``public_at`` for the statuses ``statement_status`` gave."""
    shown = timeline_order(case.statements[status.isin(["made", "maybe made"])])
    table = pd.DataFrame(
        {
            "by then": status[shown.index],
            "reach": [
                "internal only" if a == "internal" else "public" if a == "public" else "to the press" for a in shown["audience"]
            ],
            f"when ({zone})": [when(case, sid, zone) for sid in shown.index],
            "speaker": shown["speaker"],
            "text": shown["text"],
        },
        index=shown.index,
    )
    table.index.name = "statement"
    return table


def claims_at(case: Case, as_of: pd.Timestamp) -> pd.DataFrame:
    """For each claim, who had publicly affirmed or denied it by ``as_of`` (literal or implied), and the record."""
    return _claims_table(case, statement_status(case, as_of))


def _claims_table(case: Case, status: pd.Series) -> pd.DataFrame:
    """``claims_at`` for the statuses ``statement_status`` gave (plain loops: the widget redraws it often)."""
    status_of = dict(zip(status.index, status, strict=True))
    external = dict(zip(case.statements.index, case.statements["audience"].isin(["press", "public"]), strict=True))
    by_claim: dict[str, list[tuple[str, str, str]]] = {}
    for claim_id, sid, stance, mode in zip(
        case.stances["claim_id"], case.stances["statement_id"], case.stances["stance"], case.stances["mode"], strict=True
    ):
        by_claim.setdefault(claim_id, []).append((sid, stance, mode))
    rows = []
    for claim_id, proposition, record in zip(case.claims.index, case.claims["proposition"], case.claims["record"], strict=True):
        cells = {"affirmed publicly": [], "denied publicly": [], "said internally": [], "maybe, not certain by then": []}
        for sid, stance, mode in by_claim.get(claim_id, []):
            label = f"{sid} ({'implied' if mode == 'implied' else 'literal'})"
            if status_of[sid] == "maybe made":
                cells["maybe, not certain by then"].append(f"{label} {stance}")
            elif status_of[sid] != "made":
                continue
            elif not external[sid]:
                cells["said internally"].append(f"{label} {stance}")
            else:
                cells["affirmed publicly" if stance == "affirms" else "denied publicly"].append(label)
        rows.append(
            {"claim": claim_id, "proposition": proposition, **{k: "; ".join(v) for k, v in cells.items()}, "record": record}
        )
    return pd.DataFrame(rows).set_index("claim")


# --------------------------------------------------------------------------- norms and response times

NORMS_FILE = DATA_DIR / "norms.csv"
NORMS_COLUMNS = ("norm_id", "label", "hours", "share", "kind", "source", "note")
#: The column of response-time tables naming statements left out because they cannot be placed.
UNPLACED = "not placed, may be earlier"


def load_norms() -> pd.DataFrame:
    """Published norms and survey figures on response speed, each with its citation (data/norms.csv)."""
    norms = read_frame(NORMS_FILE, NORMS_COLUMNS)
    for column in ("hours", "share"):  # numbers; a blank share is unknown (NaN)
        norms[column] = pd.to_numeric(norms[column].mask(norms[column] == ""))
    return norms.set_index("norm_id")


def response_times(case: Case, anchor_event: str) -> pd.DataFrame:
    """Time from the anchor to the organisation's first statement to each audience, as [shortest, longest].

    The first statement to an audience is the one that certainly came first (the earliest latest
    possible time), except where case.toml's ``first_response`` names the first for its audience.
    A statement bounded on one side only cannot be shown to be first; the ``not placed, may be
    earlier`` column names those that may nonetheless have come before.
    """
    check_event(case, anchor_event)
    anchor = case.interval(anchor_event, "events")
    statements = timeline_order(case.statements[case.statements["start"].notna()])
    own = statements[official(case).reindex(statements.index)]
    rows = []
    for audience in ("internal", "press", "public"):
        candidates = own[own["audience"] == audience]
        if not len(candidates):
            continue
        if case.first_response in candidates.index:
            sid = case.first_response
        else:  # the statement that certainly came first: earliest latest-possible time
            sid = candidates.assign(_id=candidates.index).sort_values(["end", "start", "_id"]).index[0]
        result = gap(anchor, case.interval(sid, "statements"))
        rows.append(
            {
                "audience": audience,
                "first statement": sid,
                "gap": str(result),
                "shortest (h)": round(result.shortest.total_seconds() / 3600, 2),
                "longest (h)": round(result.longest.total_seconds() / 3600, 2),
                UNPLACED: ", ".join(unplaced_rivals(case, sid, [audience])),
            }
        )
    # an organisation that said nothing the data can place gives no rows, under the same columns
    return pd.DataFrame(rows, columns=["audience", "first statement", "gap", "shortest (h)", "longest (h)", UNPLACED]).set_index(
        "audience"
    )


def against_norms(case: Case, anchor_event: str) -> pd.DataFrame:
    """Each response time against each time norm: within, beyond, or cannot tell from the sources."""
    times, norms = response_times(case, anchor_event), load_norms()
    rows = []
    for audience, response in times.iterrows():
        for _, norm in norms[norms["kind"] == "norm"].iterrows():
            verdict = (
                "within the norm"
                if response["longest (h)"] <= norm["hours"]
                else "beyond the norm"
                if response["shortest (h)"] > norm["hours"]
                else "cannot tell from the sources"
            )
            rows.append(
                {
                    "audience": audience,
                    "evidence: gap (h)": f"[{response['shortest (h)']}, {response['longest (h)']}]",
                    "norm": norm["label"],
                    "norm (h)": norm["hours"],
                    "verdict": verdict,
                }
            )
    return pd.DataFrame(rows, columns=["audience", "evidence: gap (h)", "norm", "norm (h)", "verdict"])


# --------------------------------------------------------------------------- tweet ids


def status_ids(case: Case) -> pd.DataFrame:
    """Every tweet id the case records, on statements and on events, with the item it times."""
    rows = [(sid, "statements", value) for sid, value in case.statements["status_id"].items() if value]
    events = case.events
    rows += [
        (eid, "events", value)
        for eid, value, linked in zip(events.index, events["status_id"], events["statement_id"])
        if value and not linked
    ]
    return pd.DataFrame(rows, columns=["item", "table", "status_id"])


def decoding_feedback(answer, status_id: str | int) -> str:
    """Formative feedback on a student's decoding of a tweet id; never shows the answer."""
    expected = snowflake_time(status_id)
    not_yet = "That is not a time yet: build a datetime (in UTC) from the milliseconds you computed."
    try:
        value = pd.Timestamp(answer) if answer is not None else pd.NaT
    except (ValueError, TypeError):
        return not_yet
    if value is pd.NaT:
        return not_yet
    if value.tzinfo is None:
        return "Your time has no zone. The ids count milliseconds in UTC: give your answer in UTC."
    difference = abs(value.tz_convert("UTC") - pd.Timestamp(expected))
    if difference <= pd.Timedelta(milliseconds=1):
        return "Correct: that is the moment the tweet was posted, to the millisecond."
    if difference < pd.Timedelta(seconds=1):
        return "Within a second. Check how you turned milliseconds into a time: keep the fractional part."
    if abs(difference - pd.Timedelta(hours=round(difference / pd.Timedelta(hours=1)))) < pd.Timedelta(
        seconds=1
    ) and difference >= pd.Timedelta(hours=1):
        return "Off by whole hours: is your answer in UTC? Convert before comparing."
    if difference > pd.Timedelta(days=365):
        return "Far off: did you shift right by 22 bits and add Twitter's epoch offset in milliseconds?"
    return "Not yet: recheck the shift (22 bits) and the epoch offset (milliseconds, not seconds)."


# fmt: off
__all__ = [
    "COMMUNICATION_KINDS", "against_norms", "order_label", "status_ids", "check_event", "decision_and_first_press_event", "load_norms", "response_times", "claims_at", "decoding_feedback", "default_anchor", "default_as_of",
    "gap_row", "gap_table", "gaps_from", "parse_as_of", "public_at", "said_before", "statement_status", "timeline",
]
# fmt: on
