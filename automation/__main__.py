"""`python -m automation`: the same command line as `automation`."""

from automation.cli import main

main()
