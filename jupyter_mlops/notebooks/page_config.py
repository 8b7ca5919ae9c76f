"""What a spawned server's JupyterLab learns about the central server.

A spawned notebook server runs JupyterLab with our lab extension but without our server
extension (it must not manage notebook servers, and its kernels log to the central
server). Its MLOps and Pipelines panels would ask it for ``mlops/api/...`` and get 404.
Instead the backend hands its JupyterLab a page config (``labconfig/page_config.json`` in
a config folder of its own, on ``JUPYTER_CONFIG_PATH``) naming the central server's
base URL, which the browser reaches on the same origin through our proxy, and the owner's
API token, the one its kernels already hold: the panels talk to the central server as the
server's owner.
"""

from __future__ import annotations

from typing import Any

#: Page config keys read by the lab extension (src/request.ts).
API_BASE_URL_KEY = "mlopsApiBaseUrl"
API_TOKEN_KEY = "mlopsApiToken"
NOTEBOOK_SERVER_KEY = "mlopsNotebookServer"


def spawned_page_config(base_url: str, owner: str, name: str, api_token: str) -> dict[str, Any]:
    """The page config of ``owner``'s server ``name``: where the API is and with which
    token; without a token only which server this is (the panels then say that the API is
    not reachable from here instead of asking again and again)."""
    config: dict[str, Any] = {NOTEBOOK_SERVER_KEY: f"{owner}/{name}"}
    if api_token:
        config[API_BASE_URL_KEY] = base_url if base_url.endswith("/") else base_url + "/"
        config[API_TOKEN_KEY] = api_token
    return config
