"""Benchmarks: scale figures for the note, never timed assertions in the test suite."""
