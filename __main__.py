"""`python -m wmkb`: the same commands as `wmkb`."""

from wmkb.cli import main

main(prog_name="wmkb")
