"""HSA-ID format: country code SE, a ten-digit organisation number, '-', and a local part."""
import re

HSA_RE = re.compile(r"^SE\d{10}-[A-Za-z0-9]{1,20}$")


def is_hsa_id(value: str | None) -> bool:
    return bool(value) and bool(HSA_RE.match(value))
