"""Game engines: pure state machines driven by an :class:`~croupier.domain.rng.RngSource`."""
