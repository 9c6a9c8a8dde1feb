"""One typed settings object, read once from the environment (prefix ``ASO_``) or ``.env``.

Nothing here connects to anything: :mod:`aso.bootstrap` builds engines and sessions from it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR_DIR = Path("var")
INTERCHANGE_QUALIFIERS = frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})
"""ISA05/ISA07 codes of 005010 (DUNS, DUNS+4, HIN, carrier and FI numbers, EIN, NAIC, mutual)."""
_X12_ID = re.compile(r"^[A-Z0-9 .\-]{1,15}$")
_ACH_ORIGIN = re.compile(r"^\d{10}$")


@dataclass(frozen=True, slots=True)
class TpaIdentity:
    """Who the TPA is on what it sends: invoices and funding requests, 835s, ACH files."""

    name: str
    address: tuple[str, ...]
    billing_contact: str
    member_services: str
    interchange_qualifier: str
    interchange_id: str
    edi_contact: str
    edi_email: str
    ach_origin: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASO_", env_file=".env", extra="ignore")

    var_dir: Path = DEFAULT_VAR_DIR
    database_url: str = ""
    """SQLAlchemy URL; empty means a SQLite file ``aso.db`` under ``var_dir``."""
    ssn_key: str = ""
    """Fernet key that encrypts SSNs at rest. Empty: read or create ``var_dir/ssn.key``
    (the demo's key; production sets ``ASO_SSN_KEY`` from its secret store)."""
    token_ttl_minutes: int = Field(default=8 * 60, gt=0)
    host: str = "127.0.0.1"
    port: int = 8000

    # The TPA's identity (``TpaIdentity``); the defaults are the demo TPA's.
    tpa_name: str = Field(default="ASO Plan Administrators", min_length=1, max_length=60)
    tpa_address: str = "100 Benefits Way, Suite 400|Columbus, OH 43215"
    """Address lines, separated by ``|``."""
    tpa_billing_contact: str = "billing@aso.example  (614) 555-0100"
    tpa_member_services: str = "(614) 555-0123"
    """The number members and providers call, printed on ID cards."""
    tpa_interchange_qualifier: str = "ZZ"
    """ISA05/ISA07 of the TPA's interchange id (``ZZ`` mutually defined, ``30`` EIN, ...)."""
    tpa_interchange_id: str = "ASOTPA"
    """ISA06 and GS02 of what the TPA sends (835s): the id partners send their files to."""
    tpa_edi_contact: str = "ASO TPA EDI SUPPORT"
    tpa_edi_email: str = "edi-support@asotpa.example"
    tpa_ach_origin: str = "1316000001"
    """The ACH File Header's Immediate Origin (10 digits, e.g. ``1`` and the EIN), as the TPA's
    bank assigned it."""

    @field_validator("tpa_interchange_qualifier")
    @classmethod
    def _qualifier(cls, value: str) -> str:
        if value not in INTERCHANGE_QUALIFIERS:
            known = ", ".join(sorted(INTERCHANGE_QUALIFIERS))
            raise ValueError(f"{value!r} is not an ISA id qualifier ({known})")
        return value

    @field_validator("tpa_interchange_id")
    @classmethod
    def _interchange_id(cls, value: str) -> str:
        if not _X12_ID.match(value):
            raise ValueError("1 to 15 upper-case letters, digits, spaces, dots or dashes")
        return value

    @field_validator("tpa_ach_origin")
    @classmethod
    def _ach_origin(cls, value: str) -> str:
        if not _ACH_ORIGIN.match(value):
            raise ValueError("10 digits (e.g. '1' and the TPA's EIN)")
        return value

    def tpa(self) -> TpaIdentity:
        return TpaIdentity(
            name=self.tpa_name,
            address=tuple(part.strip() for part in self.tpa_address.split("|") if part.strip()),
            billing_contact=self.tpa_billing_contact,
            member_services=self.tpa_member_services,
            interchange_qualifier=self.tpa_interchange_qualifier,
            interchange_id=self.tpa_interchange_id,
            edi_contact=self.tpa_edi_contact,
            edi_email=self.tpa_edi_email,
            ach_origin=self.tpa_ach_origin,
        )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / 'aso.db').resolve()}"

    def resolved_ssn_key(self) -> bytes:
        """The SSN key; generated into ``var/`` the first time when none is configured."""
        if self.ssn_key:
            return self.ssn_key.encode()
        from cryptography.fernet import Fernet

        path = self.var_dir / "ssn.key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        return path.read_bytes().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def tpa_identity() -> TpaIdentity:
    """The TPA's identity, as configured (``ASO_TPA_*``)."""
    return get_settings().tpa()


def new_secret() -> str:
    return secrets.token_urlsafe(32)
