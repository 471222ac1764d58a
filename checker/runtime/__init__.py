"""The real Go runtime as judge (issue 9): Go toolchains and execution traces.

Reading execution traces and checking them against what the model's properties say a
trace can show (``trace_format``, ``trace_reader``, ``conform``), the project's own
CPU-heavy Go workload that writes such traces (``workload``), and the other modules of this
package for running designs inside real toolchains.
"""
