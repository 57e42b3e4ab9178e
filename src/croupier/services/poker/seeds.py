"""Each hand's server seed: drawn fresh, sealed into ``hand.started``, revealed at the end.

The sealed seed rides in the table's own stream, so whoever owns the table next can deal the
same deck again (the stream is all a table needs); only a holder of the vault's keys can
open it before the hand ends. :class:`SeedSealer` is the port; :class:`VaultSealer` the
adapter on the platform's vault; :class:`MemorySealer` a fake for tests of our own code.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Protocol

from croupier.adapters.seeds import new_server_seed_bytes
from croupier.domain.seed_pair import server_seed_from_bytes

if TYPE_CHECKING:  # the vault's package reads the settings, which read ours
    from croupier.adapters.vault import Vault

__all__ = ["MemorySealer", "SeedSealer", "VaultSealer", "new_server_seed"]


def new_server_seed() -> str:
    """A fresh croupier-pf-1 server seed from the OS CSPRNG."""
    return server_seed_from_bytes(new_server_seed_bytes())


class SeedSealer(Protocol):
    def seal(self, server_seed: str, context: str) -> str:
        """``server_seed`` sealed for ``context`` (the hand's id), as text."""
        ...

    async def unseal(self, sealed: str, context: str) -> str:
        """The seed sealed with that context; raises if it cannot be opened."""
        ...


class VaultSealer:
    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def seal(self, server_seed: str, context: str) -> str:
        sealed = self._vault.encrypt_text(server_seed, f"poker.server_seed:{context}")
        return base64.b64encode(sealed).decode("ascii")

    async def unseal(self, sealed: str, context: str) -> str:
        raw = base64.b64decode(sealed.encode("ascii"))
        return await self._vault.decrypt_text(raw, f"poker.server_seed:{context}")


class MemorySealer:
    """Keeps seeds in a dict (a test fake); ``lose_all()`` stands for a lost key."""

    def __init__(self) -> None:
        self._seeds: dict[str, str] = {}

    def seal(self, server_seed: str, context: str) -> str:
        token = f"sealed-{len(self._seeds)}"
        self._seeds[f"{token}|{context}"] = server_seed
        return token

    async def unseal(self, sealed: str, context: str) -> str:
        try:
            return self._seeds[f"{sealed}|{context}"]
        except KeyError:
            raise LookupError(f"no sealed seed {sealed!r} for {context!r}") from None

    def lose_all(self) -> None:
        self._seeds.clear()
