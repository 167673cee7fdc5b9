"""wmkb's search index: database → Whoosh → people.

analysis (the Dutch analyzer), schema, build (the only writer), query (search, highlights).
Nothing outside this package imports whoosh.
"""
