"""`python -m wmkb`: the same commands as `wmkb`."""

from cli import main

main(prog_name="wmkb")
