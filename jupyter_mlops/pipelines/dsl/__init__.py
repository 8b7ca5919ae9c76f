"""What users import: ``@step``, ``@pipeline``, the compiler, ``submit`` and ``schedule``.

Runs in the user's kernel; it talks to a server over REST, or, with a store URI, runs
the server's engine in-process.
"""
