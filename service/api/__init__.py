"""The HTTP service (`budgetqa serve`): see service/api/app.py."""

from service.api.app import create_app

__all__ = ["create_app"]
