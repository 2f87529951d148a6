"""What a Slack request is about, read from its body before bolt sees it: the kind (for
`warroom_ack_seconds`) and who and what (for the log lines it causes).

The body is read once and put back for bolt. Nothing here trusts it: the signature is
checked by bolt, and these fields only label metrics and logs.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import parse_qs

from bot.app.logs import RequestContext

MAX_BODY = 1 << 20  # Slack's payloads are far smaller; a bigger body is read, not parsed


def read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def describe(environ: dict[str, Any], body: bytes) -> tuple[str, RequestContext]:
    """(kind, context). The kind is `command`, `interaction` or `event`."""
    if len(body) > MAX_BODY:
        return "event", RequestContext()
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if "json" in content_type:
        return "event", _event(_json(body.decode("utf-8", "replace")))
    form = parse_qs(body.decode("utf-8", "replace"))
    if "payload" in form:
        return "interaction", _interaction(_json(form["payload"][0]))
    if "command" in form:
        text = (form.get("text") or [""])[0].split()
        word = text[0].lower() if text else "help"
        return "command", RequestContext(
            team=_first(form, "team_id"),
            user=_first(form, "user_id"),
            command=f"{_first(form, 'command') or ''} {word}".strip()[:40],
            channel=_first(form, "channel_id"),
        )
    return "event", RequestContext()


def _first(form: dict[str, list[str]], key: str) -> str | None:
    values = form.get(key)
    return values[0][:40] if values else None


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value[:40] if isinstance(value, str) else None


def _event(envelope: dict[str, Any]) -> RequestContext:
    event = envelope.get("event") if isinstance(envelope.get("event"), dict) else {}
    assert isinstance(event, dict)
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    assert isinstance(item, dict)
    user = event.get("user")
    return RequestContext(
        team=_text(envelope.get("team_id")),
        user=_text(user) if isinstance(user, str) else None,
        event=_text(event.get("type")) or _text(envelope.get("type")),
        channel=_text(event.get("channel")) or _text(item.get("channel")),
    )


def _interaction(payload: dict[str, Any]) -> RequestContext:
    def inner(key: str) -> dict[str, Any]:
        value = payload.get(key)
        return value if isinstance(value, dict) else {}

    callback = _text(payload.get("callback_id")) or _text(inner("view").get("callback_id"))
    kind = _text(payload.get("type")) or "interaction"
    return RequestContext(
        team=_text(inner("team").get("id")),
        user=_text(inner("user").get("id")),
        event=f"{kind}:{callback}" if callback else kind,
        channel=_text(inner("channel").get("id")),
    )
