"""The native REST API's operations: their one declaration, read once, and their codecs."""
