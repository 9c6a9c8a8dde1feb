"""``python -m tests.bench`` (``make bench``): run the benchmarks and print their figures."""

from __future__ import annotations

from tests.bench import edi, engine


def main() -> None:
    engine.main()
    edi.main()


if __name__ == "__main__":
    main()
