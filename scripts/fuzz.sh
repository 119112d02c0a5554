#!/usr/bin/env bash
# make fuzz: schemathesis over the OpenAPI schema against a real server on a fresh SpatiaLite
# database with the demo data, once anonymously and once with a city staff token (so the write
# operations are reached, not only their 403s). Fails if any answer is a server error (5xx).
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${FUZZ_PORT:-8765}
EXAMPLES=${FUZZ_EXAMPLES:-40}
WORK=$(mktemp -d)
export DATABASE_URL="spatialite:///$WORK/fuzz.sqlite3" DEBUG=1 MEDIA_ROOT="$WORK/media" \
    PRIVATE_MEDIA_ROOT="$WORK/private"
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

$PY manage.py migrate --noinput -v0
$PY manage.py load_demo >/dev/null
TOKEN=$($PY manage.py shell -c "
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
print(Token.objects.get_or_create(user=User.objects.get(username='city'))[0].key)" | tail -n1)
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/api/schema/" >/dev/null && break; sleep 1; done

status=0
for auth in "" "Authorization: Token $TOKEN"; do
    if [ -n "$auth" ]; then echo "== schemathesis with a staff token"; else echo "== schemathesis anonymously"; fi
    args=(run "http://127.0.0.1:$PORT/api/schema/" --checks not_a_server_error
          --max-examples "$EXAMPLES" --request-timeout 30)
    [ -n "$auth" ] && args+=(-H "$auth")
    .venv/bin/schemathesis "${args[@]}" || status=1
done
if grep -q "Traceback" "$WORK/server.log"; then
    echo "The server logged tracebacks:"; grep -B2 -A20 "Traceback" "$WORK/server.log" | head -80
    status=1
fi
exit $status
