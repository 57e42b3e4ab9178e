"""Shared state between gateways: the Redis adapters of the services' state ports, and the
connection they share (``CROUPIER_STATE_URL``). The in-process adapters stay the embedded
default (``memory://``): see docs/configuration.md, "Shared state between gateways".

- :mod:`.address`: the URL, parsed and checked (no Redis import: settings use it);
- :mod:`.connection`: the client (one server, or Sentinel) and the key prefix;
- :mod:`.login_limiter`, :mod:`.presence`, :mod:`.jackpots`: the adapters.
"""
