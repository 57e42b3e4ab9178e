"""The card vault's adapters: the embedded BIN directory (``bin_file``: a data file), the
card KEK's loading (``keys``), and the per-card envelope encryption (``cipher``: AES-256-GCM).
Import the modules themselves: ``croupier.config`` imports the card settings, which must not
pull these in while it loads."""
