#!/usr/bin/env bash
# Lint and run the whole test suite. Extra arguments go to pytest.
# With FAIRSITE_DATABASE_URL / FAIRSITE_REDIS_URL set, the suite runs on PostgreSQL and Redis.
source "$(dirname "$0")/_env.sh"
ruff check .
ruff format --check .
python manage.py makemigrations --check --dry-run -v0
python -m pytest "$@"
