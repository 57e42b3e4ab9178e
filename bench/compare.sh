#!/bin/sh
# Compare two commits under the same load, interleaved runs on fresh servers:
#   bench/compare.sh OLD_REF [NEW_REF] [--runs N] [--players N] [--seconds S] [--rate R]
#                    [--backend sqlite|postgres] [--warmup S] [--env KEY=VALUE]
#   bench/compare.sh --ledger OLD_REF [NEW_REF] [--seconds S] [--runs N]
# The work (and its clean-up) is in compare.py, standard library only; --help lists the options.
exec "${PYTHON:-python3}" "$(dirname "$0")/compare.py" "$@"
