"""Contract tests: the OpenAPI document against the real routes and the running server (a package, so its
conftest is `contract.conftest` and never shadows another suite's `conftest` module in the same pytest run)."""
