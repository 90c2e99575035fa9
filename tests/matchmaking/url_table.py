"""Permission cases for matchmaking URLs; format in tests/test_url_permissions.py."""

CASES: list = []
