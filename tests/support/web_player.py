"""Steps a player takes in the browser client (tests/browser), as a person would: through
the labelled fields and the buttons' names."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery staple"


def register(page: Page, base: str, *, country: str = "MT", currency: str = "EUR") -> str:
    """A new player from the register page; lands on the wallet, connected. Their email."""
    email = f"web-{uuid.uuid4().hex[:12]}@example.com"
    page.goto(f"{base}/#/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Date of birth").fill("1990-04-01")
    page.get_by_label("Where you live").select_option(country)
    page.get_by_label("Currency").select_option(currency)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Wallet")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_text("Live")
    return email


def deposit(page: Page, amount: str) -> None:
    """A sandbox deposit from the wallet page; waits for its confirmation."""
    page.goto(page.url.split("#")[0] + "#/wallet")
    page.get_by_label("Amount to deposit").fill(amount)
    page.get_by_role("button", name="Deposit", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Deposited")).to_be_visible()


def session_token(page: Page) -> str:
    token = page.evaluate("sessionStorage.getItem('croupier.token')")
    assert isinstance(token, str)
    return token
