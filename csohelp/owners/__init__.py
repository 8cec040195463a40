"""The content owners' loop: feedback on topics, search and view analytics, and the owners' report.

Stages: masking (personal data out of queries), store (the tables, on the request store's
database), events (the bounded queue written in batches), feedback (votes), report (figures,
text/json/csv, SVG charts), popular (the "popular topics" lists), checks (content warnings),
watch (`csohelp serve --watch`). The web routes live in csohelp/web/owners_routes.py.
"""
