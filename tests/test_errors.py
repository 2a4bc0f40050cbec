"""Errors a user can act on: suggestions of the closest valid value."""

from __future__ import annotations

from helpers.errors import did_you_mean


def test_a_value_that_differs_only_in_case_is_the_one_suggestion():
    assert did_you_mean("utc", ["UCT", "UTC", "Etc/UTC"]) == " (did you mean 'UTC'?)"
    assert did_you_mean("SCCT", ["benoit", "scct", "apology"]) == " (did you mean 'scct'?)"


def test_close_values_are_suggested_ignoring_case():
    assert did_you_mean("europe/londn", ["Europe/London", "America/Vancouver"]) == " (did you mean 'Europe/London'?)"
    assert (
        did_you_mean("keiser-mail", ["keiser-email", "keiser-globe", "thread"], n=3)
        == " (did you mean 'keiser-email' or 'keiser-globe'?)"
    )


def test_nothing_close_suggests_nothing():
    assert did_you_mean("zzz", ["UTC", "America/Vancouver"]) == ""
    assert did_you_mean("", ["UTC"]) == ""
    assert did_you_mean(2020, ["UTC"]) == ""
