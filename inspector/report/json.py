"""report.json: the contract (schema ``inspector.report/1``), ``schema`` first, ``indent=2``.

``ensure_ascii`` keeps the file pure ASCII, so ``--format json`` printed to a terminal cannot
carry a raw escape sequence or bidi control from the target.
"""

from __future__ import annotations

import json

from inspector.model import Report, to_dict
from inspector.report.interface import Renderer


class JsonRenderer(Renderer):
    def render(self, report: Report) -> str:
        return json.dumps(to_dict(report), indent=2, ensure_ascii=True) + "\n"
