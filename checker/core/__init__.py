"""What every engine shares: the common counterexample format (``counterexample``),
replay on the concrete model (``replay``), the explanation of a broken property
(``explain``), the outcome every engine returns per (design, property) (``outcome``),
run statistics (``stats``), and Ctrl-C handling (``interrupt``).

May import ``model`` (and the standard library), never an engine or the command line.
Importing this package imports none of its modules.
"""
