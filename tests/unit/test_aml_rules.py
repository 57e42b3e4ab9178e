"""Each AML rule on its own (docs/compliance.md, AML), and the properties that keep the risk
queue quiet: a rule fires on the movement that crosses its line, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from croupier.domain.compliance.aml import AmlRules, Movement, MovementKind, Rule, evaluate
from croupier.services.aml.settings import kyc_aml_settings

MINUTE = 60_000
HOUR = 60 * MINUTE
RULES = AmlRules(
    cdd_threshold={"EUR": Decimal("2000.00"), "*": Decimal("1000")},
    linked_hours=24,
    velocity_deposits=3,
    velocity_minutes=60,
    little_play_percent=50,
    little_play_hours=72,
)

_seq = iter(range(1, 10**9))


def move(kind: MovementKind, amount: int, at_ms: int, currency: str = "EUR") -> Movement:
    seq = next(_seq)
    return Movement(kind, f"t{seq}", amount, currency, at_ms, seq)


def dep(amount: int, at_ms: int, currency: str = "EUR") -> Movement:
    return move(MovementKind.DEPOSIT, amount, at_ms, currency)


def wd(amount: int, at_ms: int) -> Movement:
    return move(MovementKind.WITHDRAWAL, amount, at_ms)


def stake(amount: int, at_ms: int) -> Movement:
    return move(MovementKind.STAKE, amount, at_ms)


def rules_of(trigger: Movement, history: list[Movement]) -> set[Rule]:
    return {f.rule for f in evaluate(trigger, [*history, trigger], RULES)}


# -- CDD threshold -------------------------------------------------------------------------
def test_a_single_deposit_of_eur_2000_needs_due_diligence() -> None:
    assert Rule.CDD_THRESHOLD in rules_of(dep(2000_00, 0), [])
    assert Rule.CDD_THRESHOLD not in rules_of(dep(1999_99, 0), [])


def test_linked_deposits_within_24_hours_add_up_and_flag_once() -> None:
    first = dep(1500_00, 0)
    second = dep(500_00, 23 * HOUR)
    third = dep(500_00, 23 * HOUR + 1)
    assert Rule.CDD_THRESHOLD not in rules_of(first, [])
    findings = evaluate(second, [first, second], RULES)
    cdd = [f for f in findings if f.rule is Rule.CDD_THRESHOLD]
    assert cdd and cdd[0].detail["linked_minor"] == 2000_00 and cdd[0].detail["single"] is False
    assert Rule.CDD_THRESHOLD not in rules_of(third, [first, second])  # already crossed


def test_payments_more_than_24_hours_apart_are_not_linked() -> None:
    earlier = [dep(1500_00, 0)]
    assert Rule.CDD_THRESHOLD not in rules_of(dep(500_00, 24 * HOUR), earlier)


def test_withdrawals_link_among_themselves_not_with_deposits() -> None:
    history = [dep(1500_00, 0), stake(1500_00, 1), wd(1000_00, 2)]
    assert Rule.CDD_THRESHOLD not in rules_of(wd(500_00, 3), history[:1])
    assert Rule.CDD_THRESHOLD in rules_of(wd(1000_00, 3), history)


def test_the_threshold_is_per_currency() -> None:
    assert Rule.CDD_THRESHOLD in rules_of(dep(1000_00, 0, "GBP"), [])  # "*": 1000
    assert Rule.CDD_THRESHOLD not in rules_of(dep(1000_00, 0, "EUR"), [])
    assert Rule.CDD_THRESHOLD in rules_of(dep(1000, 0, "JPY"), [])  # no minor unit
    only_eur = AmlRules(cdd_threshold={"EUR": Decimal(2000)})
    assert evaluate(dep(10**9, 0, "USD"), [], only_eur) == []


# -- velocity ------------------------------------------------------------------------------
def test_the_nth_deposit_within_the_window_is_flagged_once() -> None:
    history = [dep(10_00, 0), dep(10_00, 10 * MINUTE)]
    third = dep(10_00, 59 * MINUTE)
    assert Rule.DEPOSIT_VELOCITY in rules_of(third, history)
    assert Rule.DEPOSIT_VELOCITY not in rules_of(dep(10_00, 59 * MINUTE + 1), [*history, third])
    assert Rule.DEPOSIT_VELOCITY not in rules_of(dep(10_00, 61 * MINUTE), history)


# -- little play ---------------------------------------------------------------------------
def test_a_withdrawal_after_little_play_is_flagged() -> None:
    history = [dep(100_00, 0), stake(49_99, HOUR)]
    assert Rule.LITTLE_PLAY in rules_of(wd(50_00, 2 * HOUR), history)
    played = [dep(100_00, 0), stake(50_00, HOUR)]
    assert Rule.LITTLE_PLAY not in rules_of(wd(50_00, 2 * HOUR), played)


def test_little_play_counts_since_the_previous_withdrawal_within_its_window() -> None:
    old = [dep(100_00, 0), stake(100_00, 1), wd(10_00, 2)]
    assert Rule.LITTLE_PLAY not in rules_of(wd(10_00, 3), old)  # nothing deposited since
    late = [dep(100_00, 0)]
    assert Rule.LITTLE_PLAY not in rules_of(wd(10_00, 73 * HOUR), late)  # outside 72 h


# -- closed loop ---------------------------------------------------------------------------
def test_a_withdrawal_without_a_deposit_breaks_the_closed_loop() -> None:
    assert Rule.CLOSED_LOOP in rules_of(wd(10_00, 0), [])
    deposited = [dep(10_00, 0), stake(10_00, 0)]
    assert Rule.CLOSED_LOOP not in rules_of(wd(10_00, 1), deposited)


def test_a_withdrawal_to_another_method_breaks_the_closed_loop() -> None:
    card = Movement(MovementKind.DEPOSIT, "d1", 10_00, "EUR", 0, 1, method="card:1234")
    to_card = Movement(MovementKind.WITHDRAWAL, "w1", 5_00, "EUR", 1, 2, method="card:1234")
    to_wallet = Movement(MovementKind.WITHDRAWAL, "w2", 5_00, "EUR", 1, 3, method="ewallet:9")
    assert Rule.CLOSED_LOOP not in {f.rule for f in evaluate(to_card, [card], RULES)}
    found = [f for f in evaluate(to_wallet, [card], RULES) if f.rule is Rule.CLOSED_LOOP]
    assert found and found[0].detail["deposited_methods"] == ["card:1234"]


def test_stakes_trip_nothing_and_flag_ids_name_the_rule_and_transfer() -> None:
    assert evaluate(stake(10**9, 0), [], RULES) == []
    finding = evaluate(dep(2000_00, 0), [], RULES)[0]
    assert finding.flag_id == f"cdd-threshold:{finding.trigger.transfer_id}"


# -- properties ----------------------------------------------------------------------------
_amounts = st.integers(min_value=1, max_value=3000_00)
_gaps = st.integers(min_value=0, max_value=30 * HOUR)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_amounts, _gaps), min_size=1, max_size=25))
def test_cdd_fires_exactly_when_the_linked_sum_crosses(deposits: list[tuple[int, int]]) -> None:
    """Over any sequence of deposits, a CDD flag is raised on a deposit exactly when the
    sum of the window's deposits before it is under the threshold and with it is not."""
    history: list[Movement] = []
    at = 0
    for amount, gap in deposits:
        at += gap
        trigger = Movement(
            MovementKind.DEPOSIT, f"t{len(history)}", amount, "EUR", at, len(history)
        )
        window = sum(m.amount_minor for m in history if m.at_ms > at - 24 * HOUR)
        fired = Rule.CDD_THRESHOLD in rules_of(trigger, history)
        assert fired == (window < 2000_00 <= window + amount)
        history.append(trigger)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2 * HOUR), min_size=1, max_size=30))
def test_velocity_fires_on_the_nth_deposit_of_its_window_only(gaps: list[int]) -> None:
    """A deposit is flagged exactly when N-1 deposits precede it within the window: the
    Nth, never the (N+1)th of the same burst."""
    history: list[Movement] = []
    at = 0
    for gap in gaps:
        at += gap
        n = len(history)
        trigger = Movement(MovementKind.DEPOSIT, f"t{n}", 1, "EUR", at, n)
        in_window = sum(1 for m in history if m.at_ms > at - 60 * MINUTE)
        fired = Rule.DEPOSIT_VELOCITY in rules_of(trigger, history)
        assert fired == (in_window == RULES.velocity_deposits - 1)
        history.append(trigger)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(MovementKind)), min_size=1, max_size=20), _amounts)
def test_evaluating_again_gives_the_same_findings(kinds: list[MovementKind], amount: int) -> None:
    """The rules are pure: an event examined again finds the same flag ids (which the store
    keeps once)."""
    history = [Movement(k, f"t{i}", amount, "EUR", i * MINUTE, i) for i, k in enumerate(kinds)]
    trigger = history[-1]
    first = [f.flag_id for f in evaluate(trigger, history, RULES)]
    assert first == [f.flag_id for f in evaluate(trigger, list(reversed(history)), RULES)]


# -- settings ------------------------------------------------------------------------------
def test_settings_parse_and_refuse() -> None:
    defaults = kyc_aml_settings({})
    assert defaults.kyc_enforce is False and defaults.aml_enabled is True
    assert defaults.aml_rules.cdd_threshold_minor("EUR") == 2000_00
    given_ = kyc_aml_settings(
        {
            "CROUPIER_KYC_ENFORCE": "1",
            "CROUPIER_AML_CDD_THRESHOLD": "EUR:2000.00,GBP:1750",
            "CROUPIER_AML_VELOCITY": "4/30",
            "CROUPIER_AML_LITTLE_PLAY": "25/48",
        }
    )
    rules = given_.aml_rules
    assert given_.kyc_enforce and rules.cdd_threshold_minor("GBP") == 1750_00
    assert rules.cdd_threshold_minor("USD") is None
    assert (rules.velocity_deposits, rules.velocity_minutes) == (4, 30)
    assert (rules.little_play_percent, rules.little_play_hours) == (25, 48)
    for env in (
        {"CROUPIER_KYC_ENFORCE": "yes"},
        {"CROUPIER_KYC_PROVIDER": "acme"},
        {"CROUPIER_AML_CDD_THRESHOLD": "XXX:10"},
        {"CROUPIER_AML_CDD_THRESHOLD": "-1"},
        {"CROUPIER_AML_VELOCITY": "5"},
        {"CROUPIER_AML_LITTLE_PLAY": "150/24"},
        {"CROUPIER_AML_LINKED_HOURS": "0"},
    ):
        with pytest.raises(ValueError, match="CROUPIER_"):
            kyc_aml_settings(env)
