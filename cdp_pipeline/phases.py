"""Wall seconds per phase of a step (`seconds_<phase>` metrics).

Why in the metadata: it is what the benchmark prints for a slow stage, and what an engineer
reads in the UI when a night is slow, without a profiler. Counts of seconds, no data.
"""

from __future__ import annotations

import time


class PhaseClock:
    def __init__(self) -> None:
        self._last = time.monotonic()
        self._seconds: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self._seconds[phase] = round(now - self._last, 2)
        self._last = now

    def figures(self) -> dict[str, float]:
        return {f"seconds_{phase}": secs for phase, secs in self._seconds.items()}
