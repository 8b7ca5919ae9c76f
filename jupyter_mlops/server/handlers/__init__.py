"""REST handlers, one module per resource family; routes.py puts them in one table."""
