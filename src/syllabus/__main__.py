"""``python -m syllabus`` runs the CLI."""

from syllabus.cli import main

main()
