"""The optimisation models: the workplan MILP as named families, the solver adapter, the
ranking baseline and the typed solution."""
