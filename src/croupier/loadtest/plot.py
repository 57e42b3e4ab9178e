"""A latency histogram as a PNG (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["plot_histogram"]

_BINS = 60


def plot_histogram(
    series: dict[str, npt.NDArray[np.float64]], path: Path, *, title: str, xlabel: str
) -> None:
    """One histogram per series on log-spaced bins (latency has a long tail), with the
    p50/p99 of each marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5), dpi=100)
    present = {label: ms for label, ms in series.items() if ms.size}
    if present:
        low = max(min(float(ms.min()) for ms in present.values()), 1e-3)
        high = max(*(float(ms.max()) for ms in present.values()), low * 1.01)
        bins = np.geomspace(low, high, _BINS)
        for (label, ms), colour in zip(present.items(), ("C0", "C1", "C2", "C3"), strict=False):
            p50, p99 = np.percentile(ms, [50, 99])
            axes.hist(
                np.clip(ms, low, high),
                bins=bins.tolist(),
                alpha=0.6,
                color=colour,
                label=f"{label} (n={ms.size:,}, p50 {p50:.2f} ms, p99 {p99:.2f} ms)",
            )
            axes.axvline(p50, color=colour, linestyle="--", linewidth=1)
            axes.axvline(p99, color=colour, linestyle=":", linewidth=1)
        axes.set_xscale("log")
        axes.legend(loc="upper right", fontsize="small")
    else:
        axes.text(0.5, 0.5, "no samples", ha="center", va="center", transform=axes.transAxes)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("count")
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
