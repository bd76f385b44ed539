"""The ground floor every clinic app stands on: the clinic boundary, a
clinic's identity, content changes and the caches they empty, atomic
publishing, API input parsing and the database-outage answer.

It imports none of the apps above it (``home``, ``treatments``, ``search``,
``cms``); an import contract in pyproject.toml keeps it so.
"""
