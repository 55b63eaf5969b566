"""The programme's rules: stars from scores, 36-month validity, lifecycle by date, GTINs."""

import datetime
from types import SimpleNamespace

import pytest

from traceability.certification import State, standing, state_of
from traceability.rules import add_months, certifying_level, stars_for_score, validity_end
from traceability.validators import gtin_check_digit, normalise_gtin


@pytest.mark.parametrize(
    "score,stars",
    [(0, 1), (30, 2), (49, 2), (50, 3), (69, 3), (70, 4), (89, 4), (90, 5), (100, 5)],
)
def test_stars_for_score_follows_decision_148(score, stars):
    assert stars_for_score(score) == stars


@pytest.mark.parametrize("score", [-1, 101, None])
def test_stars_for_score_rejects_impossible_scores(score):
    with pytest.raises(ValueError):
        stars_for_score(score)


def test_validity_is_36_months_clamped_to_month_end():
    assert validity_end(datetime.date(2023, 3, 10)) == datetime.date(2026, 3, 10)
    assert validity_end(datetime.date(2021, 2, 28)) == datetime.date(2024, 2, 28)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 12, 15), 1) == datetime.date(2025, 1, 15)


def test_certifying_level_before_and_after_the_2025_reform():
    assert certifying_level(3, datetime.date(2024, 5, 1)) == "district"
    assert certifying_level(3, datetime.date(2025, 7, 1)) == "province"
    assert certifying_level(4, datetime.date(2020, 1, 1)) == "province"
    assert certifying_level(5, datetime.date(2025, 9, 1)) == "national"


def cert(**kwargs):
    values = dict(
        stars=3,
        status="active",
        decision_date=datetime.date(2024, 1, 10),
        valid_until=datetime.date(2027, 1, 10),
    )
    values.update(kwargs)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    "on,state",
    [
        (datetime.date(2024, 1, 9), State.NOT_CERTIFIED),
        (datetime.date(2024, 1, 10), State.ACTIVE),
        (datetime.date(2026, 12, 11), State.ACTIVE),
        (datetime.date(2026, 12, 12), State.EXPIRING),
        (datetime.date(2027, 1, 10), State.EXPIRING),
        (datetime.date(2027, 1, 11), State.EXPIRED),
    ],
)
def test_state_is_computed_from_the_date(on, state):
    assert state_of(cert(), on) == state


def test_registry_status_and_stars_override_dates():
    on = datetime.date(2025, 1, 1)
    assert state_of(cert(status="revoked"), on) == State.REVOKED
    assert state_of(cert(status="suspended"), on) == State.SUSPENDED
    assert state_of(cert(stars=2), on) == State.NOT_CERTIFIED
    assert state_of(None, on) == State.NOT_CERTIFIED


def test_standing_shows_stars_only_while_certified():
    assert standing(cert(stars=4), datetime.date(2025, 1, 1)).stars == 4
    assert standing(cert(stars=4), datetime.date(2025, 1, 1)).sellable
    lapsed = standing(cert(stars=4), datetime.date(2027, 2, 1))
    assert lapsed.stars is None and not lapsed.sellable


def test_gtin_check_digits_and_normalisation():
    assert gtin_check_digit("400638133393") == "1"  # GS1's worked example
    assert normalise_gtin("4006381333931") == "04006381333931"
    assert normalise_gtin("96385074") == "00000096385074"
    assert normalise_gtin(" 4006381333931 ") == "04006381333931"  # pasted into a form
    # "²" and Arabic-Indic digits pass str.isdigit() and int(): not a GTIN all the same
    for bad in ("4006381333932", "400638133393", "abc", "", "²" * 8, "٠٠٠٠٠٠٠٠٠٠٠٠٠"):
        with pytest.raises(ValueError):
            normalise_gtin(bad)


def test_a_digital_link_allows_no_space_around_its_gtin():
    from traceability.digital_link import MalformedLink, parse_digital_link

    assert parse_digital_link("04006381333931/10/L1").gtin == "04006381333931"
    for rest in (" 0000000000000", "04006381333931 /10/L1", "٠٠٠٠٠٠٠٠٠٠٠٠٠"):
        with pytest.raises(MalformedLink):
            parse_digital_link(rest)
