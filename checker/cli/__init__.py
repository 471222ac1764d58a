"""The ``gentrace`` command line, and nothing else: ``main`` (the parser and the entry
point), the commands, the tables they print and the argument types.

May import anything in ``checker`` and ``model``; nothing in them imports it but
``checker.__main__``.  Importing this package imports none of its modules, and
Hypothesis is imported only when a Hypothesis run is asked for.
"""
