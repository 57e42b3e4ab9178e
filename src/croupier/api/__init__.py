"""The edges of Croupier: HTTP now, WebSocket next."""
