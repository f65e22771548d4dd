"""ASGI middlewares that answer before a body is read: the API key gate and the body size limit.

``ApiKeyGate`` refuses a request to ``/api/...`` without the right key with a 401 before a byte of its
body is read (a client without the key cannot make the server buffer an upload). ``BodySizeLimit``
refuses a body over a byte limit with a 413: from ``Content-Length`` up front, and by counting a
streamed (chunked) body as it is read. Both answer in the API's one error shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from medrag_core.errors import over_upload_limit

from .errors import error_body_bytes

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _send_error(send: Send, status: int, code: str, message: str,
                      extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = error_body_bytes(code, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra_headers or [])})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, upload_limit_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # the message names the setting's value, not the form overhead the body is allowed on top of it
        self.upload_limit_bytes = upload_limit_bytes

    def _message(self) -> str:
        return over_upload_limit(self.upload_limit_bytes, what="request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send_error(send, 413, "too_large", self._message(), [(b"connection", b"close")])
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_error(send, 413, "too_large", self._message(), [(b"connection", b"close")])


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body passes the limit; a route reading the body turns it
    into its 413 (an exception handler outside would answer first with a 500)."""


class ApiKeyGate:
    """401 for ``/api/...`` without the key (``is_valid(headers) -> bool``), before the body is read.

    CORS preflights (``OPTIONS``) pass: a browser sends them without credentials, and the CORS
    middleware outside this one answers them.
    """

    def __init__(self, app: ASGIApp, is_valid: Callable[[dict[str, str]], bool], prefix: str = "/api/") -> None:
        self.app = app
        self.is_valid = is_valid
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix) and scope["method"] != "OPTIONS":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
            if not self.is_valid(headers):
                await _send_error(send, 401, "unauthorized",
                                  "A valid API key is required: send it in the X-API-Key header.",
                                  [(b"www-authenticate", b"ApiKey")])
                return
        await self.app(scope, receive, send)
