"""The command line `automation`: `main` is the click group (automation.cli.group)."""

from automation.cli.group import main

__all__ = ["main"]
