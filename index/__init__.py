"""wmkb's search index: database → Whoosh → people.

analysis and compounds (the Dutch analyzer), schema, build (the only writer), directory (what
a reader opens), rewrite (a query in the index's terms), ranking (BM25F; organisations first),
facets, query (search, highlights), evaluate (the judged queries), similar (comparable
organisations). Nothing else in wmkb imports whoosh.
"""
