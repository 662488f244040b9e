"""A second build in a test's data tree with one figure revised, one withdrawn and a new period.

The bundled integration snapshot is edited as SCB might republish it: Haninge 2023 revised
from 12,1 to 12,4, Vallentuna 2023 now missing (..), Upplands Väsby 2023 withdrawn and a 2024
row for Haninge (a new period). Its sidecar gets the new sha256 and a later retrieval time.
TEST DATA: the 2024 figure and the revisions are made up.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from etl.pipeline import build

INTEGRATION = Path(
    "raw/scb_snapshot/scb_integration_unemployment_20_64_kommun_stockholmslan_2016_2023.csv"
)
MEASURE = "scb_integration_arbetsloshet_20_64"
FIRST_RETRIEVED = "2026-11-24T00:00:00+00:00"
RETRIEVED = "2026-11-30T06:00:00+00:00"
EDITS = [
    ("0136,Haninge,2023,12.1,", "0136,Haninge,2023,12.4,"),  # revised
    ("0115,Vallentuna,2023,6.8,", "0115,Vallentuna,2023,..,"),  # revised to suppressed
    ("0114,Upplands Väsby,2023,12.9,IntGr1KomUtbBAS\n", ""),  # withdrawn
]
NEW_ROW = "0136,Haninge,2024,11.0,IntGr1KomUtbBAS\n"  # a new period


def edit_raw(root: Path) -> None:
    """Edit the snapshot and its sidecar as a new retrieval would have them."""
    path = root / INTEGRATION
    text = path.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text + NEW_ROW, encoding="utf-8")
    sidecar = path.with_name(f"{path.stem}.provenance.json")
    provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    provenance["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    provenance["retrieved_at"] = RETRIEVED.replace("+00:00", "Z")
    sidecar.write_text(json.dumps(provenance, ensure_ascii=False), encoding="utf-8")


def build_changed(root: Path) -> dict[str, Any]:
    """Edit the snapshot in `root` (already built once) and build again; the new manifest."""
    edit_raw(root)
    return build()
