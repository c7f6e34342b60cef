"""A measured figure beside its same-run baseline, and the table that prints them."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ratio": round(self.ratio, 4)}


def table(figures: list[Figure]) -> str:
    rows = [f"{'figure':<48} {'value':>10} {'unit':<9} {'baseline':<38} {'base':>10} {'ratio':>7}  target"]
    for f in figures:
        verdict = "" if f.met is None else (" met" if f.met else " NOT met")
        rows.append(f"{f.name:<48} {f.value:>10.1f} {f.unit:<9} {f.baseline_name:<38} "
                    f"{f.baseline:>10.1f} {f.ratio:>7.3f}  {f.target}{verdict}")
    return "\n".join(rows)
