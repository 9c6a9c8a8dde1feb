"""SSN encryption: reversible only with the key, never the plain digits at rest."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from aso.members.crypto import SsnCipher


def test_an_ssn_round_trips_only_with_its_key() -> None:
    cipher = SsnCipher(Fernet.generate_key())
    token = cipher.encrypt("123456789")
    assert "123456789" not in token and "6789" not in token
    assert cipher.decrypt(token) == "123456789"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SsnCipher(Fernet.generate_key()).decrypt(token)


def test_encrypting_twice_gives_different_ciphertexts_but_the_same_digest() -> None:
    cipher = SsnCipher(Fernet.generate_key())
    assert cipher.encrypt("123456789") != cipher.encrypt("123456789")
    assert cipher.digest("123456789") == cipher.digest("123456789")
    assert cipher.digest("123456789") != cipher.digest("123456780")


def test_the_digest_depends_on_the_key() -> None:
    a, b = SsnCipher(Fernet.generate_key()), SsnCipher(Fernet.generate_key())
    assert a.digest("123456789") != b.digest("123456789")
