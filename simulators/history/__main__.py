"""``python -m simulators.history --months 6 --assets 500 --seed 1 --out DIR``: write a history."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from simulators.history import generate, write


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", help="end date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end).replace(tzinfo=UTC) if args.end else None
    started = time.perf_counter()
    history = generate(months=args.months, assets=args.assets, seed=args.seed, end=end)
    write(history, args.out)
    counts = ", ".join(f"{n:,} {kind}" for kind, n in history.counts().items())
    print(f"{args.out}: {counts} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
