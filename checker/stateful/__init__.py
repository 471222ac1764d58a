"""The Hypothesis engine: sampled runs of the model, shrunk to short stories.

``engine`` runs a design (:func:`~gentrace.stateful.engine.hunt`,
:func:`~gentrace.stateful.engine.check_design`), ``machine`` is the
``RuleBasedStateMachine`` built from the model's interface, ``shrink`` shortens a
failing run by delta debugging, and ``profiles`` holds the Hypothesis settings profiles.

May import ``gentrace.core`` and ``model``; never another engine or ``gentrace.cli``.
Nothing is re-exported here, so that importing the package does not import
Hypothesis: only a module of it that is asked for does.
"""
