"""Several cases side by side (helpers/casebook.py): each number is the one the case's own lesson gives."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import ParameterError, load_case
from helpers.casebook import (
    case_names,
    compared_cases,
    decision_points,
    first_public_latency,
    foreign_names,
    inside_contradictions,
    relative_timeline,
    response_latency,
    strategy_profile,
)
from helpers.claims import contradictions
from helpers.queries import trigger_event
from helpers.timeline import response_times
from tests.conftest import FICTIONAL_CASE


@pytest.fixture(scope="module")
def three():
    return compared_cases("hootsuite-ice-2020")


def test_the_case_in_focus_comes_first_and_each_case_once(three):
    assert [c.case_id for c in three] == ["hootsuite-ice-2020", "chef-2019", "wayfair-2019"]
    assert [c.case_id for c in compared_cases("chef-2019", ["chef-2019"])] == ["chef-2019"]
    assert [c.case_id for c in compared_cases(str(FICTIONAL_CASE), ["wayfair-2019", "wayfair-2019"])] == [
        "harbour-ferry-2023",
        "wayfair-2019",
    ]
    with pytest.raises(ParameterError, match="parameter 'compare_with': unknown case 'chef'"):
        compared_cases("hootsuite-ice-2020", ["chef"])


def test_first_public_latency_is_each_cases_own_response_time(three):
    latency = first_public_latency(three)
    # the thread's opening tweet (16:51:47.7 PDT) to the spokeswoman's statement (the night: 21:00-24:00 PDT)
    assert latency.loc["hootsuite-ice-2020", ["first statement", "shortest (h)", "longest (h)"]].tolist() == [
        "gaboriault-biv",
        4.14,
        7.14,
    ]
    # Chef's README commit (07:27:13 PDT) to the CEO's post, bounded from 12:00 PDT Sep 19 to the end of Sep 20
    assert latency.loc["chef-2019", ["first statement", "shortest (h)", "longest (h)"]].tolist() == ["crist-blog", 4.55, 40.55]
    # Wayfair's letter (a day, June 21) to the statement to NBC (a day, June 26): four to six days
    assert latency.loc["wayfair-2019", ["first statement", "shortest (h)", "longest (h)"]].tolist() == [
        "statement-nbc",
        96.0,
        144.0,
    ]
    assert set(latency["after the trigger?"]) == {"yes"}
    for case in three:  # the same numbers as the case's own lesson 03 table
        own = response_times(case, trigger_event(case))
        assert latency.loc[case.case_id, "shortest (h)"] in set(own["shortest (h)"])


def test_latency_per_audience_marks_the_first_public_response(three):
    table = response_latency(three)
    assert (table["first public response"] == "yes").sum() == 3
    assert list(table.loc["hootsuite-ice-2020", "audience"]) == ["internal", "press", "public"]
    assert "public" not in set(table.loc["wayfair-2019", "audience"])  # Wayfair said nothing in public itself


def test_contradictions_inside_each_organisation_are_the_lessons_own(three):
    table = inside_contradictions(three)
    for case in three:
        assert table.loc[case.case_id, "pairs inside"] == len(contradictions(case, organisation_only=True))
    assert table.loc["wayfair-2019", "both literal"] == 1  # the co-founder's two framings in one meeting
    literal = inside_contradictions(three, include_implied=False)
    assert literal["pairs inside"].tolist() == [0, 0, 1]


def test_a_case_without_a_reference_coding_has_a_blank_strategy_column(three):
    table = strategy_profile(three, "benoit")
    assert table["wayfair-2019"].isna().all()
    assert table.loc["corrective action", "hootsuite-ice-2020"] == 6
    assert table.loc["mortification", "chef-2019"] == 2  # "we did not take a position" and "I apologize for this."
    with pytest.raises(ParameterError, match="unknown scheme"):
        strategy_profile(three, "coombs")


def test_relative_timeline_measures_every_event_from_its_cases_trigger(three):
    table = relative_timeline(three, (-48, 120))
    trigger = table[table["trigger"]]
    assert list(trigger["case"]) == ["hootsuite-ice-2020", "chef-2019", "wayfair-2019"]
    # a trigger known to the millisecond is at 0; one known to the day spans a day either side
    assert trigger.set_index("case").loc["hootsuite-ice-2020", ["from (h)", "to (h)"]].tolist() == [0.0, 0.0]
    assert trigger.set_index("case").loc["wayfair-2019", ["from (h)", "to (h)"]].tolist() == [-24.0, 24.0]
    email = table[(table["case"] == "hootsuite-ice-2020") & (table["event"] == "keiser-email")].iloc[0]
    assert (email["from (h)"], email["to (h)"], email["lane"]) == (4.1, 5.1, "organisation decides")
    far = table[(table["case"] == "hootsuite-ice-2020") & (table["event"] == "keiser-replaced")].iloc[0]
    assert not far["shown"]


def test_decision_points_come_from_the_cases_notes(three):
    table = decision_points(three)
    assert all(table["decision point"].str.len() > 100)
    fictional = decision_points([load_case(FICTIONAL_CASE)])
    assert fictional["decision point"].iloc[0] == "" and fictional["why this trigger"].iloc[0] == ""


def test_names_belong_to_their_case():
    hootsuite, chef = load_case("hootsuite-ice-2020"), load_case("chef-2019")
    assert {"Hootsuite", "Tom Keiser", "Melanie Gaboriault"} <= case_names(hootsuite)
    assert "unnamed spokesperson" not in case_names(hootsuite)
    assert {"Chef Software", "Chef", "Seth Vargo", "Barry Crist"} <= case_names(chef)
    assert "Hootsuite" in foreign_names(chef, [hootsuite]) and "ICE" not in foreign_names(chef, [hootsuite])
    assert isinstance(relative_timeline([chef]), pd.DataFrame)
