"""One benchmark's outcome, and the table and JSON file the suite writes."""

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: float | None  # None: reported for information
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
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def number(value: float) -> str:
    """Three significant digits or so, with thousands separators for large numbers."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1 else f"{value:.3f}"


def table(results: list[Result]) -> str:
    rows = [("name", "value", "unit", "target", "baseline", "ratio", "ok")]
    for r in results:
        rows.append(
            (
                r.name,
                number(r.value),
                r.unit,
                "-"
                if r.target is None
                else ("≥ " if r.higher_is_better else "≤ ") + number(r.target),
                number(r.baseline) if r.baseline is not None else "-",
                f"{r.ratio:.2f}" if r.ratio is not None else "-",
                {True: "yes", False: "NO", None: "-"}[r.ok],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i in (0, 2) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


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
