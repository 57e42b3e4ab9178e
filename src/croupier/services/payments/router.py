"""Which provider a payment goes to: by method, country and currency (what each provider's
profile covers), then health (a circuit breaker each), then priority."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from croupier.domain.payments.breaker import Breaker
from croupier.services.payments.ports import PaymentProvider

__all__ = ["PaymentRouter"]


class PaymentRouter:
    def __init__(
        self,
        providers: Sequence[PaymentProvider],
        *,
        clock_ms: Callable[[], int],
        failures_max: int = 3,
        open_ms: int = 30_000,
    ) -> None:
        names = [p.profile.name for p in providers]
        if not providers or len(set(names)) != len(names):
            raise ValueError(f"payment providers need distinct names, got {names}")
        self._providers = {p.profile.name: p for p in providers}
        self._breakers = {name: Breaker(failures_max, open_ms) for name in names}
        self._clock_ms = clock_ms

    @property
    def names(self) -> list[str]:
        return list(self._providers)

    def provider(self, name: str) -> PaymentProvider | None:
        return self._providers.get(name)

    def candidates(
        self,
        method: str,
        country: str,
        currency: str,
        *,
        exclude: Iterable[str] = (),
        prefer: str | None = None,
    ) -> list[PaymentProvider]:
        """Covering providers whose circuit would let a payment through, ``prefer`` first
        (the closed loop's provider), then by priority; :meth:`claim` one before sending."""
        skip = set(exclude)
        now = self._clock_ms()
        covering = [
            p
            for p in self._providers.values()
            if p.profile.name not in skip and p.profile.covers(method, country, currency)
        ]
        covering.sort(key=lambda p: (p.profile.name != prefer, p.profile.priority, p.profile.name))
        return [p for p in covering if self._breakers[p.profile.name].ready(now)]

    def claim(self, name: str) -> bool:
        """Take the circuit's leave to send (a half-open circuit gives it to one caller)."""
        return self._breakers[name].allows(self._clock_ms())

    def succeeded(self, name: str) -> None:
        self._breakers[name].succeeded()

    def failed(self, name: str) -> None:
        self._breakers[name].failed(self._clock_ms())

    def health(self) -> dict[str, str]:
        return {name: breaker.state for name, breaker in self._breakers.items()}
