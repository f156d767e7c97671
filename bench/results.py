"""Recording benchmark figures into ``bench/results.json``.

Every figure stands beside a raw baseline measured in the same run:
``{name: {value, unit, baseline, ratio, target, met}}``. ``ratio`` is always
``value / baseline``; ``target`` says in words which way is good (e.g.
"ratio >= 0.6" or "p95 <= 30 ms"), and ``met`` is the verdict against it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS = Path(os.environ.get("INKBENCH_BENCH_RESULTS", Path(__file__).with_name("results.json")))


def record(
    name: str,
    *,
    value: float,
    unit: str,
    baseline: float | None,
    target: str,
    met: bool,
) -> dict:
    """Store one figure (merging into the file) and print it on one line."""
    ratio = (value / baseline) if baseline else None
    entry = {
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4) if baseline is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "met": bool(met),
    }
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[name] = entry
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    base = f"baseline {entry['baseline']} {unit}, ratio {entry['ratio']}" if baseline else ""
    verdict = "met" if met else "NOT MET"
    print(f"{name:<44} {entry['value']:>10} {unit:<8} {base:<40} target {target}: {verdict}")
    return entry
