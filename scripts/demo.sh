#!/usr/bin/env bash
# From a fresh clone to a running demo at http://127.0.0.1:8000 (SQLite, in-memory layer).
source "$(dirname "$0")/_env.sh"
python manage.py migrate --noinput -v0
python manage.py seed_demo
python manage.py collectstatic --noinput -v0
exec daphne -b 127.0.0.1 -p "${PORT:-8000}" fairsite.asgi:application
