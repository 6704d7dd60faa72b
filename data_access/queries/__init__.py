"""SQL aggregations. Every function takes `towns`, the town codes the caller may see:
access scoping is enforced here, in one place, never in page code."""
