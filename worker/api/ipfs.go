package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/h3lix/h3lix/worker/store"
)

// DefaultMaxPayload is the cap of the IPFS endpoints when the node does
// not say (the chain's default max_payload_size).
const DefaultMaxPayload = 16 << 20

// ipfsRoutes are the owner's IPFS endpoints: the 'h3lix-worker ipfs'
// commands use them while the worker runs, because the running worker holds
// the repository's lock.
func ipfsRoutes(mux *http.ServeMux, st store.Store, maxPayload int64) {
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	mux.HandleFunc("POST /v1/ipfs/add", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "h3lix/manual/" + time.Now().UTC().Format(time.RFC3339)
		}
		body := http.MaxBytesReader(w, r.Body, maxPayload)
		c, err := st.Add(r.Context(), body, name)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("payload over %d bytes (the chain's max_payload_size)", maxPayload))
				return
			}
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"cid": c.String(), "name": name})
	})
	mux.HandleFunc("GET /v1/ipfs/get/{cid}", func(w http.ResponseWriter, r *http.Request) {
		c, err := cid.Decode(r.PathValue("cid"))
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("cid %q: %v", r.PathValue("cid"), err))
			return
		}
		b, err := st.Get(r.Context(), c, maxPayload)
		switch {
		case errors.Is(err, store.ErrTooLarge):
			writeError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		case errors.Is(err, store.ErrNotFound):
			writeError(w, http.StatusNotFound, err.Error())
			return
		case errors.Is(err, store.ErrBadCID), errors.Is(err, store.ErrNotFile):
			writeError(w, http.StatusBadRequest, err.Error())
			return
		case err != nil:
			writeError(w, http.StatusBadGateway, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	})
	mux.HandleFunc("GET /v1/ipfs/pins", func(w http.ResponseWriter, r *http.Request) {
		pins, err := st.Pins(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		type pin struct {
			CID  string `json:"cid"`
			Name string `json:"name"`
		}
		out := make([]pin, len(pins))
		for i, p := range pins {
			out[i] = pin{p.CID.String(), p.Name}
		}
		writeJSON(w, http.StatusOK, map[string]any{"pins": out})
	})
}
