"""The margin statement of ARCHITECTURE §2–§3: model, reference engine, commitments, circuit.

Modules: ``model`` (pydantic models) and ``loading`` (``load_snapshot``/``load_state``/
``load_opening``, raising ``errors.MarginInputError``); ``reference`` (``margin_report``,
``is_compliant``); ``commitment`` (``commit``, ``state_commitment``, ``snapshot_hash``);
``statement`` (public inputs, ``REQUIREMENT_MAINTENANCE = 0``, ``REQUIREMENT_INITIAL = 1``);
``sizes`` (tiny/standard/large, padding); ``circuit`` (``MarginCircuit``) and ``witness``
(``build_assignment``); ``sample``/``pricing`` (demo market). The setup/prove/verify flow
lives in ``zkmargin.margin.workflow``.
See ``docs/margin-model.md``.
"""

# Version-2 snapshot features register themselves on import (circuits.margin.extensions).
from circuits.margin import option_charges, rounding  # noqa: F401  (features 8, 16, 17)
from circuits.margin import size_rates as _size_rates  # noqa: F401  (features 0–2)
