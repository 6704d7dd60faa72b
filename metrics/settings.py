"""Compatibility alias of metrics.domain.settings, kept until the modules written alongside the
layering change import metrics.domain.settings directly."""

from metrics.domain.settings import *  # noqa: F403
