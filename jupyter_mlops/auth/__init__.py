"""Owner-scoped API tokens: random secrets stored only as a hash, each acting as one user
of our REST API (native and MLflow-compatible), never as jupyter_server itself.

``service.TokenService`` issues, lists and revokes them (with permissions) and recognises
them on requests; notebook servers get one for their owner when they start.
"""

from .entities import TOKEN_PREFIX, ApiToken
from .service import TokenService
from .store import SqlTokenStore

__all__ = ["TOKEN_PREFIX", "ApiToken", "SqlTokenStore", "TokenService"]
