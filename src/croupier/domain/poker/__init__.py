"""Poker rules that are not one hand: tournaments (structures, payouts, seating, the
tournament state machine), hand-history export and the pure rules of a cash table.

Everything here is pure (standard library and the hold'em engine only): no IO, no clock
(time comes in as integer seconds), randomness only through an ``RngSource`` argument.
The table actor, the WebSocket API and the ledger escrow wire these in (docs/poker.md).
"""
