"""A sandbox of a national self-exclusion register (GAMSTOP-like), with deterministic
answers, so registration and login can be tested against "on the register" without a
contract with the real one. An operator plugs the real register in behind the same port
(``croupier.services.compliance.responsible.NationalRegister``).

On the sandbox register: every email whose local part ends with ``+selfexcluded``
(``ada+selfexcluded@example.com``), in any country. Nobody else.
"""

from __future__ import annotations

from datetime import date
from typing import Final

__all__ = ["SANDBOX_MARK", "SandboxSelfExclusionRegister"]

SANDBOX_MARK: Final = "+selfexcluded"


class SandboxSelfExclusionRegister:
    name = "sandbox register"

    async def is_excluded(self, *, email: str, date_of_birth: date, country: str) -> bool:
        del date_of_birth, country  # the real registers match on these too
        local, _, _ = email.lower().rpartition("@")
        return local.endswith(SANDBOX_MARK)
