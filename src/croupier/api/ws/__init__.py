"""The WebSocket gateway: ``/v1/ws`` on the HTTP API's port (protocol: docs/realtime.md)."""

from croupier.api.ws.gateway import Gateway
from croupier.api.ws.port import shared_port_protocol

__all__ = ["Gateway", "shared_port_protocol"]
