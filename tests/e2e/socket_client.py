"""Call a Reflex event handler directly over the websocket, as a tampering client would."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import socketio

# The frontend connects to ``<site>/_event`` with socket.io path ``/_event``: the namespace is the path.
NAMESPACE = "/_event"


def call_handler(
    base_url: str, *, cookie: str, handler: str, payload: dict[str, Any], path: str, timeout: float = 15
) -> list[dict]:
    """Send one event named ``handler`` with ``payload``; return the deltas answered."""
    client = socketio.Client(reconnection=False)
    answers: list[dict] = []
    arrived = threading.Event()

    @client.on("event", namespace=NAMESPACE)
    def _on_event(data):
        answers.append(data)
        arrived.set()

    client.connect(
        f"{base_url}?token={uuid.uuid4()}",
        socketio_path="_event",
        transports=["websocket"],
        namespaces=[NAMESPACE],
        headers={"Cookie": cookie} if cookie else {},
        wait_timeout=10,
    )
    try:
        client.emit(
            "event",
            {"name": handler, "payload": payload, "router_data": {"pathname": path, "asPath": path, "query": {}}},
            namespace=NAMESPACE,
        )
        # One event may answer with several messages (a delta, then a redirect): collect
        # until the server has been quiet for a second and a half.
        if arrived.wait(timeout):
            while True:
                arrived.clear()
                if not arrived.wait(1.5):
                    break
    finally:
        client.disconnect()
    return answers
