"""The payments settings refuse what they cannot run; the router picks by coverage, health
and priority; the breaker opens, half-opens for one trial, and closes."""

from __future__ import annotations

import pytest

from croupier.domain.payments.breaker import Breaker
from croupier.services.payments.router import PaymentRouter
from croupier.services.payments.settings import payment_settings
from tests.support.payments import ScriptedProvider

_ALPHA = "alpha+http://127.0.0.1:1?key=k&secret=s&name=alpha&currencies=EUR"


def test_the_default_is_the_instant_sandbox() -> None:
    settings = payment_settings({})
    assert [(p.name, p.url) for p in settings.providers] == [("sandbox", None)]


def test_an_http_provider_needs_its_url_and_its_name() -> None:
    env = {"CROUPIER_PAYMENT_PROVIDERS": "sandbox,alpha", "CROUPIER_PAYMENT_PROVIDER_ALPHA": _ALPHA}
    assert [p.name for p in payment_settings(env).providers] == ["sandbox", "alpha"]
    with pytest.raises(ValueError, match="CROUPIER_PAYMENT_PROVIDER_BETA must configure"):
        payment_settings({"CROUPIER_PAYMENT_PROVIDERS": "beta"})
    with pytest.raises(ValueError, match="add name=gamma"):
        payment_settings(
            {"CROUPIER_PAYMENT_PROVIDERS": "gamma", "CROUPIER_PAYMENT_PROVIDER_GAMMA": _ALPHA}
        )
    with pytest.raises(ValueError, match="twice"):
        payment_settings({"CROUPIER_PAYMENT_PROVIDERS": "sandbox,sandbox"})
    with pytest.raises(ValueError, match="POLLS_MAX must be an integer"):
        payment_settings({"CROUPIER_PAYMENT_POLLS_MAX": "many"})


def test_the_router_prefers_covering_healthy_providers_by_priority() -> None:
    now = [0]
    cheap = ScriptedProvider("cheap", priority=1)
    other = ScriptedProvider("other", priority=2)
    cards_only = ScriptedProvider("cards", methods=frozenset({"card"}), priority=0)
    router = PaymentRouter([cheap, other, cards_only], clock_ms=lambda: now[0], failures_max=2)
    names = [p.profile.name for p in router.candidates("sandbox", "MT", "EUR")]
    assert names == ["cheap", "other"]
    preferred = router.candidates("sandbox", "MT", "EUR", prefer="other")
    assert preferred[0].profile.name == "other"
    router.failed("cheap")
    router.failed("cheap")
    assert [p.profile.name for p in router.candidates("sandbox", "MT", "EUR")] == ["other"]
    now[0] = 30_000  # the circuit half-opens: one trial, given to one caller
    assert router.claim("cheap") and not router.claim("cheap")
    router.succeeded("cheap")
    assert router.health()["cheap"] == "closed"


def test_a_failed_trial_opens_the_breaker_again() -> None:
    breaker = Breaker(failures_max=1, open_ms=10)
    breaker.failed(0)
    assert not breaker.allows(5) and breaker.allows(10)
    breaker.failed(11)
    assert breaker.state == "open" and not breaker.allows(20) and breaker.allows(21)
