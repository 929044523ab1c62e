#!/usr/bin/env bash
# `make demo`: a ready-to-use Tessera with two example projects.
# Creates (once) an admin account and the demo projects in ./demo-data, prints
# how to sign in, then runs the server on http://127.0.0.1:8080 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-build/tessera}
DATA=${DATA:-demo-data}
PORT=${PORT:-8080}
EMAIL=admin@tessera.local
mkdir -p "$DATA"

if [[ ! -f "$DATA/credentials" ]]; then
  PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  TOKEN=$("$BIN" user add --data "$DATA" --email "$EMAIL" --password "$PASSWORD" \
          --first-name Demo --last-name Admin --admin --print-token)
  printf 'PASSWORD=%s\nTOKEN=%s\n' "$PASSWORD" "$TOKEN" > "$DATA/credentials"
  chmod 600 "$DATA/credentials"

  # Image project: boxes on the images in demo/images.
  IMG_PROJECT=$("$BIN" project create --data "$DATA" --title "Demo: objects in images" \
                --config demo/image_config.xml --description "Draw boxes around objects")
  MEDIA="$DATA/media/upload/$IMG_PROJECT"
  mkdir -p "$MEDIA"
  tasks="["
  sep=""
  for img in demo/images/*; do
    name=$(basename "$img")
    cp "$img" "$MEDIA/$name"
    tasks+="$sep{\"image\": \"/data/upload/$IMG_PROJECT/$name\"}"
    sep=", "
  done
  tasks+="]"
  printf '%s\n' "$tasks" > "$DATA/image_tasks.json"
  "$BIN" import --data "$DATA" --project "$IMG_PROJECT" "$DATA/image_tasks.json" >/dev/null

  # Text project: named entities and a sentiment choice.
  TEXT_PROJECT=$("$BIN" project create --data "$DATA" --title "Demo: entities and sentiment" \
                 --config demo/text_config.xml --description "NER spans and a sentiment choice")
  "$BIN" import --data "$DATA" --project "$TEXT_PROJECT" demo/text_tasks.json >/dev/null
fi

# shellcheck disable=SC1091
source "$DATA/credentials"
cat <<EOT

  Tessera demo
  ------------
  URL:       http://127.0.0.1:$PORT
  Email:     $EMAIL
  Password:  $PASSWORD
  API token: $TOKEN

  Try:  curl -H "Authorization: Token $TOKEN" http://127.0.0.1:$PORT/api/projects

EOT
exec "$BIN" serve --data "$DATA" --host 127.0.0.1 --port "$PORT"
