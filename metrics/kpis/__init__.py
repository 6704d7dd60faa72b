"""The KPI registry split by domain; metrics.registry assembles it."""
