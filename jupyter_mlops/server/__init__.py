"""The jupyter_server extension: configuration, wiring and the REST handlers.

Nothing is imported here so that ``import jupyter_mlops.server.serialization`` (shared
with the client) does not pull in tornado handlers.
"""
