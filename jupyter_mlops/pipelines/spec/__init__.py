"""The pipeline spec: the contract between the DSL, the server and the step runner.

Its JSON Schema, states, parameter types and entities. Imported by all three runtimes,
so it stays import-light (standard library and ``jsonschema`` only where validating).
"""
