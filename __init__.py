"""wmkb, installed under its own name: the repository's top level is the package `wmkb`, which
ships `python -m wmkb` and the data the commands need from any directory (the demo's fixture
site and the judged queries)."""
