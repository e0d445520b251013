package app

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/h3lix/h3lix/docs/openapi"
)

// OpenAPIPath is where the API server serves the H3LIX OpenAPI document. The
// SDK's own document stays at /swagger/ (when api.swagger is on).
const OpenAPIPath = "/h3lix/openapi.json"

func registerOpenAPI(rtr *mux.Router) {
	rtr.HandleFunc(OpenAPIPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openapi.Document)
	}).Methods(http.MethodGet)
}
