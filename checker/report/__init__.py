"""Design-review evidence: one HTML page and one Markdown document from results as data.

``results`` reads the JSON documents the other commands print (``check --json`` of any
engine, ``prove --json``: BMC, lemmas, unbounded proofs; ``runtime --json``; single
counterexample files) into one :class:`~gentrace.report.results.Results`.  ``story``
turns a counterexample into a swimlane diagram's data by replaying it on the model.
``content`` lays the report out as blocks in the order a reviewer asks (summary, scope,
matrix, counterexamples, findings, proofs, how to reproduce), and ``html`` and
``markdown`` render those blocks.

An engine-layer package: it imports only ``gentrace.core``, ``model`` and itself, so it
runs no engine; ``gentrace.cli.report`` runs them and hands the documents over.
Importing this package imports none of its modules.
"""
