# Names that vulture (make lint) cannot see used: read by a framework by name, or entry points
# that only the tests and benchmarks call. Everything else that nothing calls fails the lint.
# ruff: noqa

# SQLAlchemy: a column named in a relationship's order_by string; a DBAPI connection setting.
section_order
isolation_level

# Whoosh calls a formatter's format_token, and reads a result set's fragmenter and formatter.
format_token
fragmenter
formatter

# Read by the templates: a bar's place in a chart.
x
y

# Entry points of the tests: reading a page into a record, the index against the database.
record_from_page
indexed_practice_ids
database_practice_ids
