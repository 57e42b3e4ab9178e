"""The pure domain: money, ledger rules, games, randomness and fairness.

Nothing here performs IO, reads a clock or touches the global ``random``: time and randomness
come in as arguments so that every rule is a plain, testable function.
"""
