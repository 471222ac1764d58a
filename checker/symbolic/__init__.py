"""The Z3 engine: the model as formulas, bounded model checking, and arithmetic lemmas.

- :mod:`checker.symbolic.relation`: initial states, the transition relation and every
  property as z3 formulas, built from the model's own step definitions.
- :mod:`checker.symbolic.bmc`: bounded model checking, the shortest violation within K
  steps or "none within K steps".
- :mod:`checker.symbolic.check`: a design's BMC verdicts against its expectations, each
  counterexample replayed on the concrete model before it is reported.
- :mod:`checker.symbolic.lemmas`: ``traceNextGen`` on 32- and 64-bit words, and why the
  model's small word stands for the real one.

Imports ``checker.core``, ``model`` and z3; importing this package imports nothing.
"""
