"""One typed settings object, read once from the environment (prefix ``ASO_``) or ``.env``.

Nothing here connects to anything: :mod:`aso.bootstrap` builds engines and sessions from it.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR_DIR = Path("var")


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


def new_secret() -> str:
    return secrets.token_urlsafe(32)
