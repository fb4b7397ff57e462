"""What every benchmark shares: a throwaway database and the percentile it reports.

Each benchmark prints its own figures; these two pieces were written three and four times.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from tests.throwaway import LOCAL_SERVER, throwaway_database


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@contextlib.asynccontextmanager
async def bench_database(
    prefix: str = "cogep_bench", *, keep: bool = False
) -> AsyncIterator[tuple[str, str]]:
    """A fresh, migrated database (the configured server, else a local one, else embedded):
    yields (url, where it lives), and drops it after unless `keep`."""
    with tempfile.TemporaryDirectory(prefix="cogep_bench_") as tmp:
        async with throwaway_database(
            prefix, workdir=Path(tmp), fallback=LOCAL_SERVER, keep=keep
        ) as db:
            yield db
