"""A counter staff member over HTTP, as the counter page does it: sign in, then act with the CSRF header."""

from __future__ import annotations

import re
from typing import Any

import requests

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class CounterClient:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        form = self.http.get(f"{self.base_url}/counter/login", timeout=10)
        form.raise_for_status()
        match = _CSRF_INPUT.search(form.text)
        if match is None:
            raise AssertionError("the sign-in form has no CSRF token")
        self.csrf = match.group(1)
        signed_in = self.http.post(
            f"{self.base_url}/counter/login",
            timeout=10,
            allow_redirects=False,
            data={"csrf_token": self.csrf, "username": username, "password": password},
        )
        if signed_in.status_code != 302:
            raise AssertionError(f"sign-in refused ({signed_in.status_code})")
        # Signing in starts a new session with a new token: read it where the page does.
        chooser = self.http.get(f"{self.base_url}/counter", timeout=10)
        chooser.raise_for_status()
        match = _CSRF_INPUT.search(chooser.text)
        if match is None:
            raise AssertionError("the counter chooser has no CSRF token")
        self.csrf = match.group(1)

    def act(self, counter_id: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one action (call, recall, start, finish, no-show, transfer); returns the JSON answer."""
        response = self.http.post(
            f"{self.base_url}/counter/api/{counter_id}/{action}",
            json=body or {},
            headers={"X-CSRF-Token": self.csrf},
            timeout=10,
        )
        if response.status_code >= 400:
            raise AssertionError(f"{action} at counter {counter_id}: {response.status_code} {response.text}")
        return response.json()
