"""`--format json`: exactly the contract object (section 6), every finding included, passes too."""

from __future__ import annotations

import json
from datetime import datetime

from ecpartner.findings import Finding, summarize
from ecpartner.report.common import iso_utc, jsonable


def render(findings: list[Finding], inventory_path: str, generated_at: datetime) -> str:
    document = {
        "inventory": str(inventory_path),
        "generated_at": iso_utc(generated_at),
        "summary": summarize(findings).to_dict(),
        "findings": [jsonable(f.to_dict()) for f in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
