"""The processes of a deployment on PostgreSQL beyond the all-in-one ``croupier serve``:
``writer`` (``croupier writer``: the fenced ledger writer, active or standby) and ``health``
(the small HTTP health port it offers). Gateways are ``croupier serve --role gateway``:
``croupier.bootstrap.open_platform`` with a remote ledger. See docs/operations.md."""
