"""MLflow 3 logged models, the registry's owned sub-domain: entities, ORM models, store
and service. No SQL outside this package reads their tables."""
