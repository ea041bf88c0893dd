"""Syllabus: a learning-management server with three API dialects over one core."""

__version__ = "0.1.0"
