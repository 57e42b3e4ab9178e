"""Webhook verification of both PSP adapters, without a server: a signature made by the
sandbox verifies, and any tampered byte of the body or of the signature is rejected."""

from __future__ import annotations

import base64
import functools
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from croupier.adapters.payments.alpha import AlphaProvider
from croupier.adapters.payments.beta import BetaProvider
from croupier.sandbox_psp import alpha, beta
from croupier.sandbox_psp.book import Event
from croupier.services.payments.ports import (
    PaymentProvider,
    ProviderProfile,
    WebhookKind,
    WebhookRejected,
)

NOW_MS = 1_780_000_000_123
SECRET = "whsec-test"
KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
PUBLIC = base64.b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
EVENT = Event("evt_1", "charge.succeeded", "c-1", "ch_1", 1_250, "EUR", NOW_MS - 5)


def profile(name: str) -> ProviderProfile:
    return ProviderProfile(name, frozenset({"card"}), frozenset(), frozenset({"EUR"}))


@functools.cache
def adapters() -> list[tuple[PaymentProvider, bytes, dict[str, str]]]:
    """(adapter, body, headers) for each flavour, the body signed at NOW_MS."""
    alpha_body = alpha.render_event(EVENT)
    beta_body = beta.render_event(EVENT)
    return [
        (
            AlphaProvider(
                profile=profile("alpha"),
                base_url="http://unused",
                api_key="k",
                webhook_secret=SECRET,
            ),
            alpha_body,
            alpha.sign(SECRET, alpha_body, NOW_MS),
        ),
        (
            BetaProvider(
                profile=profile("beta"), base_url="http://unused", api_key="k", public_key=PUBLIC
            ),
            beta_body,
            beta.sign(KEY, beta_body, NOW_MS),
        ),
    ]


FLAVOURS = pytest.mark.parametrize("flavour", [0, 1], ids=["alpha", "beta"])


@FLAVOURS
def test_a_signed_event_verifies_into_the_event(flavour: int) -> None:
    adapter, body, headers = adapters()[flavour]
    event = adapter.verify_webhook(headers, body, NOW_MS)
    assert (event.event_id, event.kind, event.reference) == (
        "evt_1",
        WebhookKind.CHARGE_SUCCEEDED,
        "c-1",
    )
    assert (event.amount_minor, event.currency, event.provider_ref) == (1_250, "EUR", "ch_1")
    assert event.occurred_at_ms == NOW_MS - 5
    assert event.provider == adapter.profile.name


@FLAVOURS
def test_header_names_are_case_blind(flavour: int) -> None:
    adapter, body, headers = adapters()[flavour]
    adapter.verify_webhook({k.lower(): v for k, v in headers.items()}, body, NOW_MS)


@FLAVOURS
@given(data=st.data())
def test_any_tampered_body_byte_is_rejected(flavour: int, data: st.DataObject) -> None:
    adapter, body, headers = adapters()[flavour]
    index = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(headers, tampered, NOW_MS)


@FLAVOURS
@given(data=st.data())
def test_any_tampered_signature_header_is_rejected(flavour: int, data: st.DataObject) -> None:
    adapter, body, headers = adapters()[flavour]
    name = data.draw(st.sampled_from(sorted(headers)))
    value = headers[name]
    index = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != value[index]))
    tampered = {**headers, name: value[:index] + replacement + value[index + 1 :]}
    try:
        adapter.verify_webhook(tampered, body, NOW_MS)
    except WebhookRejected:
        return
    # Only a change that leaves the same bytes to verify may pass (e.g. base64 padding):
    raise AssertionError(f"{name}: {value!r} -> {tampered[name]!r} was accepted")


@FLAVOURS
@given(skew_s=st.integers(301, 10**6), sign=st.sampled_from([-1, 1]))
def test_a_timestamp_outside_the_window_is_rejected(flavour: int, skew_s: int, sign: int) -> None:
    adapter, body, headers = adapters()[flavour]
    with pytest.raises(WebhookRejected, match="window"):
        adapter.verify_webhook(headers, body, NOW_MS + sign * skew_s * 1000)


@FLAVOURS
@given(skew_s=st.integers(-299, 299))
def test_a_timestamp_inside_the_window_is_accepted(flavour: int, skew_s: int) -> None:
    adapter, body, headers = adapters()[flavour]
    adapter.verify_webhook(headers, body, NOW_MS + skew_s * 1000)


@FLAVOURS
def test_a_signed_body_that_is_not_an_event_is_rejected(flavour: int) -> None:
    adapter, _, _ = adapters()[flavour]
    not_events = [
        {"id": "evt_1", "type": "charge.exploded"},
        {"eventId": "e", "eventCode": "AUTHORISATION", "success": "yes"},
    ]
    for body in [b"not json", b"[]", *(json.dumps(raw).encode() for raw in not_events)]:
        headers = alpha.sign(SECRET, body, NOW_MS) if flavour == 0 else beta.sign(KEY, body, NOW_MS)
        with pytest.raises(WebhookRejected):
            adapter.verify_webhook(headers, body, NOW_MS)


def test_a_float_amount_in_a_signed_event_is_rejected() -> None:
    adapter, body, _ = adapters()[0]
    floaty = body.replace(b'"amount":1250', b'"amount":12.5')
    with pytest.raises(WebhookRejected, match="minor units"):
        adapter.verify_webhook(alpha.sign(SECRET, floaty, NOW_MS), floaty, NOW_MS)
