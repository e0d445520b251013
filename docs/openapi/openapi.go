// Package openapi embeds the OpenAPI (Swagger 2.0) document of the H3LIX
// REST API, generated from proto/ by `make proto-gen`.
package openapi

import _ "embed"

// Document is the merged OpenAPI document of every H3LIX query service.
//
//go:embed h3lix.swagger.json
var Document []byte
