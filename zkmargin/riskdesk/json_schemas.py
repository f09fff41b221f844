"""Write the risk desk's JSON Schemas (market data, policy, signed metadata) to ``docs/schemas/``.

Run ``python -m zkmargin.riskdesk.json_schemas``. A test checks the committed files equal
:func:`render_schemas`, so a schema change without regenerated files fails CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from zkmargin.riskdesk.schemas import MarketData, Policy
from zkmargin.riskdesk.signing import SignedSnapshotMetadata

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "riskdesk_market_data.json": MarketData,
    "riskdesk_policy.json": Policy,
    "riskdesk_signed_metadata.json": SignedSnapshotMetadata,
}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def render_schemas() -> dict[str, str]:
    """Return ``file name → schema JSON text`` for every risk desk model."""
    return {
        name: json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in SCHEMA_MODELS.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Write the schemas (into ``argv[0]`` if given) and print their paths."""
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DEFAULT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render_schemas().items():
        (directory / name).write_text(text, encoding="utf-8")
        print(directory / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
