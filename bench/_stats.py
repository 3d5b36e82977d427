"""Shared by the bench scripts (run as `python bench/NAME.py`, so this folder is on the path)."""

from __future__ import annotations

import statistics


def summary(name: str, samples: list[float], decimals: int = 0) -> str:
    """"name: median X ms (min, max, n)" for samples in seconds."""
    ms = [s * 1000 for s in samples]
    f = f".{decimals}f"
    return (f"{name}: median {statistics.median(ms):{f}} ms (min {min(ms):{f}}, "
            f"max {max(ms):{f}}, n={len(ms)})")
