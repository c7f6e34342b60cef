"""GS1's EPCIS 2.0 reference files (schema, examples), read where the project keeps them: the
``shared/epcis`` folder beside the repository (or beside the folder of worktrees), the folder
``GONGXIAO_EPCIS_REFERENCE`` names, or the workplace's own ``/work/shared/epcis`` (for a clean
checkout made elsewhere, as CI's may be). They are never copied into the repository; a test that
needs them fails, not skips, without them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from infra.epcis_capture import validator

ROOT = Path(__file__).resolve().parents[1]


WORKPLACE = Path("/work/shared/epcis")


@lru_cache(maxsize=1)
def folder() -> Path:
    named = os.environ.get("GONGXIAO_EPCIS_REFERENCE")
    places = [*(p / "shared" / "epcis" for p in ROOT.parents), *([Path(named)] if named else []),
              WORKPLACE]
    for place in places:
        if (place / "EPCIS-JSON-Schema.json").is_file():
            return place
    pytest.fail("GS1's EPCIS reference files (shared/epcis) are not beside the repository")


def schema_path() -> str:
    return str(folder() / "EPCIS-JSON-Schema.json")


def schema() -> Draft7Validator:
    return validator(schema_path())


def examples() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted((folder() / "examples").glob("*.jsonld")):
        yield path.name, json.loads(path.read_text(encoding="utf-8"))


def document(events: list[dict[str, Any]], gx: str) -> dict[str, Any]:
    """Events in an EPCISDocument, as a partner would send them."""
    return {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                         {"gx": gx}],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": datetime.now(UTC).isoformat(), "epcisBody": {"eventList": events}}
