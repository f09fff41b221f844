"""Write the margin models' JSON Schemas to ``docs/schemas/``.

Run ``python -m circuits.margin.schemas``. A test checks that the committed files equal
:func:`render_schemas`, so a model change without regenerated schemas fails CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from circuits.margin.model import AccountState, MarketSnapshot, Opening

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "market_snapshot.json": MarketSnapshot,
    "account_state.json": AccountState,
    "opening.json": Opening,
}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def render_schemas() -> dict[str, str]:
    """Return ``file name → schema JSON text`` for every margin model."""
    return {
        name: json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in SCHEMA_MODELS.items()
    }


def write_schemas(directory: Path = DEFAULT_DIR) -> list[Path]:
    """Write every schema into ``directory`` and return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in render_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Write the schemas (into ``argv[0]`` if given) and print their paths."""
    args = sys.argv[1:] if argv is None else argv
    for path in write_schemas(Path(args[0]) if args else DEFAULT_DIR):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
