"""Notebook servers: per-user Jupyter servers spawned locally or on Kubernetes.

``entities`` (specs, status), ``options`` (the admin's images, profiles and quotas) and
``validation`` (a request against them) are pure; ``manifests`` builds Kubernetes objects;
``store`` keeps intent and computed names; ``backends`` do the spawning; ``service`` puts
them together with permissions; ``culler`` stops idle servers.
"""
