"""The findings gentrace ships: README.md (a paragraph per finding) and the counterexample
files it cites, read by ``gentrace report`` through ``importlib.resources``."""
