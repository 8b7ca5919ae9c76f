"""The MLflow-compatible REST API, served under ``{base_url}mlops/mlflow/``.

MLflow's own client (``MLFLOW_TRACKING_URI=http://host:port/mlops/mlflow``) talks to it
unchanged. Every call is translated onto the same services the native API uses
(:class:`~jupyter_mlops.tracking.service.TrackingService` and
:class:`~jupyter_mlops.registry.service.RegistryService`): one store, one set of rules.

* :mod:`.wire`: MLflow's proto3-JSON shapes to and from our entities, system tags;
* :mod:`.call`: typed access to a request's fields (query string or JSON body);
* :mod:`.errors`: our errors as MLflow's ``{"error_code", "message"}`` with its statuses;
* :mod:`.search`: MLflow filter and order_by strings onto ours;
* :mod:`.tracking`, :mod:`.registry`: one function per MLflow RPC;
* :mod:`.artifacts`: the ``mlflow-artifacts`` file service;
* :mod:`.handlers`, :mod:`.routes`: tornado handlers and the route table.
"""
