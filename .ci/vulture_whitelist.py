# What vulture (make lint) cannot see used: names read by a framework or a template, and entry
# points that only the tests and benchmarks call. Everything else that nothing calls fails the
# lint. Attributes are named through their class, so that no other name of the same spelling
# is let off.
# ruff: noqa
from wmkb.harvester.imports import ImportSummary
from wmkb.harvester.models import ImportedCapture, Practice
from wmkb.harvester.refresh import RefreshSummary
from wmkb.harvester.reparse import ReparseSummary
from wmkb.index.query import _MarkFormatter
from wmkb.web.charts import Bar, Chart
from wmkb.web.labels import Labels

# SQLAlchemy: a column named in a relationship's order_by string, columns written through the
# constructor and read by SQL; a DBAPI connection setting.
Practice.section_order
ImportedCapture.captured_at
ImportedCapture.imported_at
isolation_level

# A run's counts are set by their names (setattr or +=) and read through its COUNTS.
RefreshSummary.unchanged
ReparseSummary.not_profiles
ImportSummary.other_hosts
ImportSummary.not_pages
ImportSummary.already_imported
ImportSummary.within_known_history
ImportSummary.not_profiles

# Whoosh calls a formatter's format_token, and reads a result set's fragmenter and formatter.
_MarkFormatter.format_token
fragmenter
formatter

# Read by the templates: where a chart draws its bars and its target line; column names.
Bar.x
Bar.y
Bar.caption
Chart.target_y
Chart.target_caption
Labels.change_columns

# Entry points of the tests: reading a page into a record, the index against the database.
record_from_page
indexed_practice_ids
database_practice_ids

# The harvest without the index update: the benchmarks time it, the fault tests run it.
refresh
