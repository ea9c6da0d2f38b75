"""REST API v1 (JSON), described by OpenAPI at /api/v1/openapi.json."""

from flask import Blueprint

api_blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")
