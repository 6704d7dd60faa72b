"""KPIs: the registry (metrics.registry, one record per KPI in metrics/kpis), the evaluator,
completeness, goals and standards services. The pure domain below data_access is
metrics.domain."""
