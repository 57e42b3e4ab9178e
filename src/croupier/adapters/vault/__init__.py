"""Encryption at rest: the vault (envelope encryption with AES-256-GCM), its key-encryption
key, and KEK rotation. See docs/security.md, "Encryption at rest".

Other features seal their personal data and secrets with :class:`Vault`::

    sealed = vault.encrypt(b"JBSWY3DPEHPK3PXP", "staff.totp_secret:42")
    secret = await vault.decrypt(sealed, "staff.totp_secret:42")
"""

from croupier.adapters.vault.envelope import InvalidTag, UndecryptableValue, VaultError, kek_id
from croupier.adapters.vault.kek import Kek, default_key_file, load_kek
from croupier.adapters.vault.rotation import KekRotation, rewrap_keys, rotate_key_file
from croupier.adapters.vault.vault import DataKeyStore, Vault, WrappedKey

__all__ = [
    "DataKeyStore",
    "InvalidTag",
    "Kek",
    "KekRotation",
    "UndecryptableValue",
    "Vault",
    "VaultError",
    "WrappedKey",
    "default_key_file",
    "kek_id",
    "load_kek",
    "rewrap_keys",
    "rotate_key_file",
]
