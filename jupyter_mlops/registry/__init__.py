"""The model registry: registered models, their versions, aliases and tags, and MLflow 3
logged models (entities, pure source and filter handling, the SQL store, the service)."""
