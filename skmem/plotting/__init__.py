"""Plots of what the models learned and how they trained (needs matplotlib)."""

from skmem.plotting._core import plot_attention, plot_history, plot_story_attention
from skmem.plotting._forecast import plot_forecast
from skmem.plotting._ntm import plot_memory_use
from skmem.plotting._translation import plot_alignment

__all__ = [
    "plot_alignment",
    "plot_attention",
    "plot_forecast",
    "plot_history",
    "plot_memory_use",
    "plot_story_attention",
]
