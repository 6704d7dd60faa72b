"""Compatibility alias of metrics.domain.attainment, kept until the modules written alongside the
layering change import metrics.domain.attainment directly."""

from metrics.domain.attainment import *  # noqa: F403
