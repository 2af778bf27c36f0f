"""Lessons: what the course notebooks call (computations, tables and figures)."""
