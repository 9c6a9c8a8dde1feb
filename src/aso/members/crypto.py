"""Encryption of SSNs at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

The key is passed in (from ``Settings.resolved_ssn_key()``), never read here. Besides the
ciphertext, a member row keeps the last four digits (to show ``***-**-1234``) and a keyed digest
(HMAC-SHA256 under a key derived from the Fernet key) so that a member can be matched by SSN, as
an 834 file does, without decrypting every row. The digest is useless without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class SsnCipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._mac_key = hmac.new(key, b"aso ssn digest v1", hashlib.sha256).digest()

    def encrypt(self, ssn: str) -> str:
        return self._fernet.encrypt(ssn.encode("ascii")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The SSN back; only for an outbound file that must carry it, never for display."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise ValueError("the SSN cannot be decrypted with this key") from exc

    def digest(self, ssn: str) -> str:
        return hmac.new(self._mac_key, ssn.encode("ascii"), hashlib.sha256).hexdigest()
