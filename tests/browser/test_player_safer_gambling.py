"""Safer-gambling tools and account security of the player client in a real Chromium
against a real server."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from tests.support.browser import screenshot
from tests.support.web_player import PASSWORD, deposit, register


def test_a_deposit_limit_then_a_time_out_leaves_only_withdrawals(
    page: Page, web_server: str, tmp_path: Path
) -> None:
    email = register(page, web_server)
    page.get_by_role("link", name="Safer gambling").click()
    page.get_by_label("Deposit limit daily").fill("50.00")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_role("status").filter(has_text="Limits saved")).to_be_visible()
    expect(page.get_by_label("Deposit limit daily")).to_have_value("50.00")
    screenshot(page, "player-safer-gambling", tmp_path)

    deposit(page, "40.00")
    page.get_by_label("Amount to deposit").fill("20.00")
    page.get_by_role("button", name="Deposit", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("deposit-limit")
    expect(page.get_by_test_id("wallet-cash")).to_have_text("€40.00")

    page.get_by_role("link", name="Safer gambling").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Time-out (hours)").fill("24")
    page.get_by_role("button", name="Start time-out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("timed-out")
    page.get_by_label("Log in to withdraw my balance only").check()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Wallet")).to_be_visible()
    page.get_by_label("Amount to withdraw").fill("40.00")
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Withdrew")).to_be_visible()
    expect(page.get_by_test_id("wallet-cash")).to_have_text("€0.00")


def test_two_factor_turned_on_in_the_client_is_asked_for_at_the_next_login(
    page: Page, web_server: str, tmp_path: Path
) -> None:
    email = register(page, web_server)
    page.get_by_role("link", name="Account").click()
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    # The server takes the step before or after the current one too, each step once: the
    # previous step's code turns TOTP on, the current one logs in.
    page.get_by_label("Code from your authenticator app").fill(totp.at(time.time() - 30))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="is on")).to_be_visible()
    screenshot(page, "player-account", tmp_path)

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("totp-required")
    page.get_by_label("Authenticator code").fill(totp.now())
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Lobby")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_text("Live")
