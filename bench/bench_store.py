"""Time validate -> atomic write -> filtered read on a national-scale synthetic table.

Run: `make bench` (or `python -m bench.bench_store`). Writes only to a temporary directory.
"""

import os
import resource
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench.synthetic import extend_catalog, generate_observations
from labourmarket import paths, store
from labourmarket.catalog import load_catalog
from labourmarket.gaps import compute_gaps
from labourmarket.schema import CHECKS, validate


def time_call(label: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    catalog = extend_catalog(load_catalog(paths.REPO_DIR / "data" / "reference"))
    frame = time_call("generate synthetic observations", lambda: generate_observations(catalog))
    print(f"{'rows':<44} {len(frame):>10,}")
    with tempfile.TemporaryDirectory() as temp:
        os.environ[paths.DATA_DIR_ENV] = temp
        for name, _, select in CHECKS:
            time_call(f"  check {name}", lambda select=select: select(frame, catalog))
        time_call("validate (all checks)", lambda: validate(frame, catalog))
        time_call("write_clean (atomic, zstd)", lambda: store.write_clean(frame, []))
        size = store.observations_path().stat().st_size
        print(f"{'parquet size':<44} {size / 1e6:8.1f} MB")
        time_call("read everything", store.read_observations)
        one_month = time_call(
            "read one measure+period (pushed-down filter)",
            lambda: store.read_observations(
                {"measure_id": "synthetic_rate_a", "period": "2024M10"}
            ),
        )
        regions = catalog.regions
        municipalities = regions.loc[regions["level"] == "municipality", "region_code"].tolist()
        time_call(
            "compute_gaps 290 kommuner vs Riket by age",
            lambda: compute_gaps(one_month, municipalities, "00", "age"),
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory':<44} {peak:8.0f} MB")


if __name__ == "__main__":
    main()
