"""EOB run throughput: the explanations of benefits of an employer's claims, read and printed as
PDFs, as ``aso claims eobs`` writes them for the mail house.

The demo employer (``aso.synth.demo.build_demo`` at ``EMPLOYEES`` employees: a year of claims,
paid) is built into a fresh SQLite file, untimed. What is timed: listing the claims decided in the
window (``processed_claims``), then for ``EOBS`` of them the EOB read (the claim's current
version, the codes explained, the balances) and its PDF. No target is set by an issue; a TPA mails
a week's EOBs overnight, so the figure to watch is EOBs per second on one core.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from aso.bootstrap import App
from aso.claims.eob import claim_eob_by_key, processed_claims
from aso.claims.eob_pdf import eob_pdf_bytes
from aso.config import Settings
from aso.security.domain import SYSTEM
from aso.synth.demo import build_demo

EMPLOYEES = 150
EOBS = 2_000
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def measure(folder: Path, *, employees: int = EMPLOYEES, eobs: int = EOBS) -> dict[str, float]:
    settings = Settings(var_dir=folder, ssn_key=Fernet.generate_key().decode(), database_url="")
    app = App(settings=settings)
    try:
        app.migrate()
        result = build_demo(app, employees=employees)
        employer_id = next(iter(result.money.batches))  # the first demo employer
        started = time.perf_counter()
        keys = processed_claims(
            uow=app.uow(), actor=SYSTEM, employer_id=employer_id, since=EVER[0], until=EVER[1]
        )[:eobs]
        listed = time.perf_counter()
        size = 0
        for key in keys:
            size += len(eob_pdf_bytes(claim_eob_by_key(uow=app.uow(), actor=SYSTEM, key=key)))
        finished = time.perf_counter()
    finally:
        app.engine.dispose()
    return {
        "eobs": float(len(keys)),
        "list": listed - started,
        "print": finished - listed,
        "bytes": float(size),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(Path(folder))
    count = figures["eobs"]
    print(
        f"eobs: listed the window in {figures['list']:.2f} s, then read and printed {count:,.0f} "
        f"EOBs in {figures['print']:.1f} s: {count / figures['print']:,.0f} EOBs/s on one core "
        f"({figures['bytes'] / count / 1024:.1f} KB each)"
    )


if __name__ == "__main__":
    main()
