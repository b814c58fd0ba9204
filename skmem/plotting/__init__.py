"""Plots of what the models learned and how they trained (needs matplotlib)."""

from skmem.plotting._core import plot_attention, plot_history, plot_story_attention

__all__ = [
    "plot_attention",
    "plot_history",
    "plot_story_attention",
]
