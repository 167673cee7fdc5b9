"""wmkb's harvester: site → pages → records → database.

Stages, one module each: discover (sitemaps, links, URL canonicalisation), robots, fetch,
classify, parse, normalise, store, and refresh, which composes them into one run.
"""
