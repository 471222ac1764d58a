"""The model written out for other model checkers: one design at one bound as a Promela
program for Spin (``promela``), generated from the same step definitions the explorer
compiles, so Spin is an independent second engine on the same transition relation.

May import ``gentrace.core`` and ``gentrace.model``; never another engine or ``gentrace.cli``.
"""

from gentrace.export.promela import StepCode, promela, step_code

__all__ = ["StepCode", "promela", "step_code"]
