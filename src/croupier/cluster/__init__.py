"""``croupier cluster``: the whole scale-out topology on loopback, from Debian's packages.

etcd ×3, Patroni + PostgreSQL (a primary and a synchronous standby), NATS ×3 with JetStream,
Redis (a primary, a replica, Sentinel ×3), HAProxy (TLS 1.3 in front of the gateways and a
write port to the PostgreSQL primary) and the Croupier processes, each a plain process in its
own process group with its pid and log under one directory. See docs/operations.md.

One module per component writes its configuration (``etcd``, ``patroni``, ``nats``,
``redis``, ``haproxy``, ``croupier``, ``tls``); ``ports`` allocates loopback ports,
``processes`` starts and stops them, ``health`` waits on them, ``up``/``status``/``down``
put it together.
"""
