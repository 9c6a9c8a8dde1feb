"""``python -m tests.bench`` (``make bench``): run the benchmarks and print their figures."""

from __future__ import annotations

from tests.bench import claims_db, edi, edi_import, engine, eobs, payments


def main() -> None:
    engine.main()
    edi.main()
    claims_db.main()
    edi_import.main()
    payments.main()
    eobs.main()


if __name__ == "__main__":
    main()
