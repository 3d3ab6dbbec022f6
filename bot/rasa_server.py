"""`rasa` with one performance fix applied first: `python -m bot.rasa_server run …` takes the same
arguments as `rasa run …`.

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`, and
`jsonschema.validate` first validates the *schema itself* against its metaschema, on every call. With
jsonschema 4.17 (the version Rasa 3.6 pins) that check was over half of the Rasa server's CPU time in
bench/bot_latency.py: a form turn calls the action server two or three times. Here the schema is checked
once and a prepared validator checks each response — the same rules and the same error messages."""
from __future__ import annotations

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


def main() -> None:
    patch_action_response_validation()
    from rasa.__main__ import main as rasa_main
    rasa_main()


if __name__ == "__main__":
    main()
