"""The engines that check the model (``model/``), and the ``gentrace`` command line.

One package per concern; the arrows are the only imports allowed (and
``tests/test_architecture.py`` holds the tree to them, with no import cycles):

- ``gentrace.core``: what every engine shares: the counterexample format, replay,
  explanations, the outcome and statistics every engine reports, Ctrl-C handling.
  Imports only ``model``.
- ``gentrace.explore``: the exhaustive explorer (breadth-first search within a bound).
  Imports ``core`` and ``model``.
- ``gentrace.stateful``: the Hypothesis engine (sampled runs, shrunk).
  Imports ``core`` and ``model``.
- ``gentrace.cli``: the command line (``gentrace check``, ``replay``, ``list``).
  Imports any of the above.

Engines never import one another, nor the command line.  ``python -m gentrace``
runs the command line.  Importing this package imports nothing else.
"""
