"""`rasa` with one performance fix applied first and the conversation-store redaction worker added:
`python -m bot.rasa_server run …` takes the same arguments as `rasa run …`.

The worker (bot/tracker_redaction.py) runs inside the Rasa server process, because it must take the
lock store's lock of a conversation before it rewrites it, and the in-memory lock store exists only here.

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`, and
`jsonschema.validate` first validates the *schema itself* against its metaschema, on every call. With
jsonschema 4.17 (the version Rasa 3.6 pins) that check was over half of the Rasa server's CPU time in
bench/bot_latency.py: a form turn calls the action server two or three times. Here the schema is checked
once and a prepared validator checks each response — the same rules and the same error messages."""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Dict

_PATCHED = False


def patch_action_response_validation() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)  # once, at start-up
    validator = cls(spec)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))  # what jsonschema.validate would raise
        if error is None:
            return True
        assert isinstance(error, ValidationError)
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _PATCHED = True


async def _start_redaction(app: Any, _loop: Any) -> None:
    from bot import tracker_redaction

    agent = getattr(app.ctx, "agent", None)
    if agent is not None:
        app.ctx.kg_redaction_task = asyncio.get_running_loop().create_task(tracker_redaction.run_forever(agent))


async def _stop_redaction(app: Any, _loop: Any) -> None:
    task = getattr(app.ctx, "kg_redaction_task", None)
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


def add_redaction_worker() -> None:
    """Every `rasa run` started from here also gets the redaction worker (Rasa's server_listeners)."""
    import rasa.core.run

    serve = rasa.core.run.serve_application
    if getattr(serve, "_kg_redaction", False):
        return

    @functools.wraps(serve)  # rasa.api.run passes only the keyword arguments in serve's signature
    def serve_application(*args: Any, **kwargs: Any) -> None:
        listeners = list(kwargs.get("server_listeners") or [])
        listeners += [(_start_redaction, "after_server_start"), (_stop_redaction, "before_server_stop")]
        kwargs["server_listeners"] = listeners
        return serve(*args, **kwargs)

    serve_application._kg_redaction = True  # type: ignore[attr-defined]
    rasa.core.run.serve_application = serve_application  # type: ignore[assignment]


def main() -> None:
    patch_action_response_validation()
    add_redaction_worker()
    from rasa.__main__ import main as rasa_main
    rasa_main()


if __name__ == "__main__":
    main()
