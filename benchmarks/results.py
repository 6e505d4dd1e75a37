"""One benchmark's outcome, and the table and JSON file the suite writes."""

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: float
    # For times, lower is better; for rates, higher is better.
    higher_is_better: bool = False
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        """How many times slower than the baseline (1.0: as fast; rates are inverted)."""
        if not self.baseline or not self.value:
            return None
        return self.baseline / self.value if self.higher_is_better else self.value / self.baseline

    @property
    def ok(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def table(results: list[Result]) -> str:
    lines = [
        f"{'name':<14} {'value':>10} {'unit':<6} {'target':>8} {'baseline':>9} {'ratio':>6}  ok"
    ]
    for r in results:
        baseline = f"{r.baseline:,.3f}" if r.baseline is not None else "-"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        sign = "≥" if r.higher_is_better else "≤"
        lines.append(
            f"{r.name:<17} {r.value:>12,.3f} {r.unit:<5} {sign}{r.target:>8g} {baseline:>12} "
            f"{ratio:>6}  {'yes' if r.ok else 'NO'}"
        )
    return "\n".join(lines)


def write_json(path: Path, scale: str, database: str, results: list[Result]) -> None:
    document = {
        "scale": scale,
        "database": database,
        "results": [
            {
                "name": r.name,
                "value": r.value,
                "unit": r.unit,
                "baseline": r.baseline,
                "ratio": r.ratio,
                "target": r.target,
                "ok": r.ok,
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
