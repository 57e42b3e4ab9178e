"""The ledger over NATS request/reply: a ``croupier writer`` answers (``server``), gateways
ask (``client``), in the JSON of ``codec``. The subject is ``<prefix>.ledger.submit``, the
prefix that of ``CROUPIER_STREAM_URL`` (``?prefix=``, default ``croupier``): one ledger per
prefix, as one event stream per prefix."""

from croupier.adapters.ledger_rpc import auth
from croupier.adapters.ledger_rpc.client import RemoteSubmitter
from croupier.adapters.ledger_rpc.remote import RemoteLedger
from croupier.adapters.ledger_rpc.server import LedgerResponder, nats_servers, submit_subject

__all__ = [
    "LedgerResponder",
    "RemoteLedger",
    "RemoteSubmitter",
    "auth",
    "nats_servers",
    "submit_subject",
]
