"""Compatibility alias of metrics.domain.periods, kept until the modules written alongside the
layering change import metrics.domain.periods directly."""

from metrics.domain.periods import *  # noqa: F403
