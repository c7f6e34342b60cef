"""Import-linter contracts of our own (``lint-imports`` loads them from pyproject.toml)."""

from __future__ import annotations

import sys
from typing import Any

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class OnlyContract(Contract):
    """The source packages import nothing but themselves, the standard library less its
    ``forbidden_modules``, and the ``allowed_modules``: a list of what may come in, where a
    forbidden contract lists what may not and misses every package added after it."""

    type_name = "only"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.StringField())
    forbidden_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        allowed = (set(sys.stdlib_module_names) - set(self.forbidden_modules or [])) | set(
            self.allowed_modules)
        broken: list[tuple[str, str]] = []
        for source in self.source_modules:
            allowed.add(source.name.split(".")[0])
            for importer in {source.name, *graph.find_descendants(source.name)}:
                broken += [(importer, imported)
                           for imported in graph.find_modules_directly_imported_by(importer)
                           if imported.split(".")[0] not in allowed]
        return ContractCheck(kept=not broken, metadata={"broken": sorted(broken)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        broken: Any = check.metadata["broken"]
        for importer, imported in broken:
            output.print_error(f"{importer} imports {imported}", bold=False)
