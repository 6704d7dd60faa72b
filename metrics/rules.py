"""Compatibility alias of metrics.domain.rules, kept until the modules written alongside the
layering change import metrics.domain.rules directly."""

from metrics.domain.rules import *  # noqa: F403
