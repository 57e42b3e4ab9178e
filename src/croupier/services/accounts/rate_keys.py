"""The keys logins and registrations are counted under, whatever limiter counts them."""

from __future__ import annotations

import ipaddress

__all__ = ["account_rate_key", "ip_rate_key"]

_KEY_LENGTH_MAX = 320


def ip_rate_key(ip: str) -> str:
    """The key an IP is counted under: the address, or its /64 for IPv6 (one subscriber
    usually holds a whole /64, so counting single IPv6 addresses would be no limit at all)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()[:_KEY_LENGTH_MAX]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def account_rate_key(email: str) -> str:
    """The key an account is counted under: the email as typed, stripped and lower-cased.

    It does not depend on whether the email exists, so lock-outs reveal nothing about it.
    """
    return email.strip().lower()[:_KEY_LENGTH_MAX]
