"""The convergence plot of a simulation: running RTP inside the shrinking 99% band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt
import numpy as np

from croupier.analysis.slots_sim import Simulation

__all__ = ["plot_convergence"]


def plot_convergence(
    simulation: Simulation, exact_rtp: float, sd: float, z: float, title: str, path: Path
) -> None:
    """Write a PNG: running RTP against spins (log scale) and exact ± z·σ/√n."""
    spins = np.array([n for n, _ in simulation.checkpoints], dtype=np.float64)
    running = np.array([r for _, r in simulation.checkpoints], dtype=np.float64)
    half = z * sd / np.sqrt(spins)
    figure, axes = plt.subplots(figsize=(9, 5), dpi=110)
    axes.fill_between(spins, exact_rtp - half, exact_rtp + half, alpha=0.25, label="99% band")
    axes.axhline(exact_rtp, color="black", linewidth=1, label=f"exact RTP {exact_rtp:.4%}")
    axes.plot(spins, running, linewidth=1.2, label="simulated RTP (running)")
    axes.set_xscale("log")
    axes.set_ylim(exact_rtp - 0.5, exact_rtp + 0.5)
    axes.set_xlabel("paid spins")
    axes.set_ylabel("return to player")
    axes.set_title(title)
    axes.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
