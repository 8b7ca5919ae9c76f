"""The server side of pipelines: the service, the run engine, its store, the backends
(local, Kubernetes, Argo), the schedules and the manifests they submit."""
