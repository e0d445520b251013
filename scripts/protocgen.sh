#!/usr/bin/env bash
# Regenerates Go code and the OpenAPI document from proto/ with the pinned
# tools in ./bin (installed by `make proto-tools`). Works offline.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:$PATH"

rm -rf .gen
buf generate --template buf.gen.gogo.yaml --path proto/h3lix
# protoc-gen-gocosmos writes under the go_package path; move the files into the module tree.
for dir in .gen/github.com/h3lix/h3lix/x/*/types; do
  mod=$(basename "$(dirname "$dir")")
  mkdir -p "x/$mod/types"
  cp "$dir"/*.go "x/$mod/types/"
done

# One merged OpenAPI (Swagger 2.0) document for all H3LIX query services,
# embedded in the binary (docs/openapi) and served by the API server.
query_paths=()
for f in $(find proto/h3lix -name query.proto | sort); do query_paths+=(--path "$f"); done
buf generate --template buf.gen.openapi.yaml "${query_paths[@]}"
sed -e '0,/"title": ".*"/s//"title": "H3LIX REST API"/' -e '0,/"version": ".*"/s//"version": "v1"/' .gen/openapi/h3lix.swagger.json > docs/openapi/h3lix.swagger.json
rm -rf .gen
