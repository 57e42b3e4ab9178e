"""A player on a real platform, registered, logged in and funded."""

from __future__ import annotations

from croupier.bootstrap import Platform
from croupier.domain.accounts.player import Player

PASSWORD = "correct horse battery"


async def funded_player(platform: Platform, email: str, deposit_minor: int = 10_000) -> Player:
    await platform.accounts.register(
        email=email, password=PASSWORD, date_of_birth="1990-01-01", country="MT", currency="EUR"
    )
    login = await platform.accounts.login(email=email, password=PASSWORD, ip="1.2.3.4")
    await platform.wallet.deposit(login.player, f"deposit-{email.partition('@')[0]}", deposit_minor)
    return login.player
