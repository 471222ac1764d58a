"""The Z3 engine: the model as formulas, bounded model checking, and arithmetic lemmas.

- :mod:`gentrace.symbolic.relation`: initial states, the transition relation and every
  property as z3 formulas, built from the model's own step definitions.
- :mod:`gentrace.symbolic.bmc`: bounded model checking, the shortest violation within K
  steps or "none within K steps".
- :mod:`gentrace.symbolic.check`: a design's BMC verdicts against its expectations, each
  counterexample replayed on the concrete model before it is reported.
- :mod:`gentrace.symbolic.lemmas`: ``traceNextGen`` on 32- and 64-bit words, and why the
  model's small word stands for the real one.

Imports ``gentrace.core``, ``model`` and z3; importing this package imports nothing.
"""
