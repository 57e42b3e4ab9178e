"""Benchmarks that print figures (run by ``croupier bench …``; never timed tests)."""
