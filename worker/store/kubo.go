package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
)

// KuboConfig points the worker at an existing Kubo daemon.
type KuboConfig struct {
	// URL of the RPC API, e.g. http://127.0.0.1:5001 (no /api/v0).
	URL string
	// Timeout bounds each call whose context has no deadline. Default 2 min.
	Timeout time.Duration
	// AuthHeader, if set, is sent as the Authorization header (Kubo's
	// API.Authorizations, e.g. "Bearer <secret>").
	AuthHeader string
}

// Kubo is a Store backed by a Kubo daemon's RPC API. It sends a handful of
// hand-written requests instead of linking the Kubo module (its client
// drops max-file-links, and the module drags in Kubo's whole dependency
// graph).
//
// Kubo verifies blocks in its own bitswap; the daemon is the operator's and
// trusted. Get still re-hashes single-block payloads, which costs nothing.
type Kubo struct {
	base    string
	timeout time.Duration
	auth    string
	client  *http.Client
}

var _ Store = (*Kubo)(nil)

// KuboError is an error reported by Kubo ({"Message":…,"Code":…}).
type KuboError struct {
	Status  int // HTTP status
	Message string
	Code    int
}

func (e *KuboError) Error() string {
	return fmt.Sprintf("kubo: %s (http %d, code %d)", e.Message, e.Status, e.Code)
}

// NewKubo returns a client; nothing is contacted until the first call.
func NewKubo(cfg KuboConfig) *Kubo {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultFetchTimeout
	}
	// A transport of our own so Close does not drop other users' idle
	// connections in http.DefaultTransport.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &Kubo{
		base:    strings.TrimRight(cfg.URL, "/"),
		timeout: cfg.Timeout,
		auth:    cfg.AuthHeader,
		client:  &http.Client{Transport: tr},
	}
}

// Close releases idle connections.
func (k *Kubo) Close() error {
	k.client.CloseIdleConnections()
	return nil
}

// call POSTs /api/v0/<cmd>?<q> (Kubo refuses GET) and returns the response
// body on HTTP 200; anything else is decoded into a *KuboError.
func (k *Kubo) call(ctx context.Context, cmd string, q url.Values, body io.Reader, contentType string) (*http.Response, error) {
	if k.base == "" {
		return nil, errors.New("store: KuboConfig.URL is empty")
	}
	// Tell Kubo the caller's remaining time, so it stops searching the
	// network when we stop waiting (its global --timeout option).
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left > 0 {
			q.Set("timeout", left.Round(time.Millisecond).String())
		}
	}
	u := k.base + "/api/v0/" + cmd + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, fmt.Errorf("store: kubo %s: %w", cmd, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if k.auth != "" {
		req.Header.Set("Authorization", k.auth)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("store: kubo %s: %w", cmd, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, decodeKuboError(resp)
	}
	return resp, nil
}

func decodeKuboError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var ke struct {
		Message string
		Code    int
	}
	if json.Unmarshal(raw, &ke) == nil && ke.Message != "" {
		return &KuboError{Status: resp.StatusCode, Message: ke.Message, Code: ke.Code}
	}
	// Not Kubo's JSON (a proxy, a 404 from a wrong URL): keep the start of
	// the body, it is usually the best hint.
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = resp.Status
	}
	return &KuboError{Status: resp.StatusCode, Message: msg}
}

// finish drains and closes a streamed response and reports an error Kubo
// sent after the 200 header, in the X-Stream-Error trailer.
func finish(resp *http.Response) error {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if msg := resp.Trailer.Get("X-Stream-Error"); msg != "" {
		return &KuboError{Status: resp.StatusCode, Message: msg}
	}
	return nil
}

// callJSON runs cmd and decodes a single JSON object into out.
func (k *Kubo) callJSON(ctx context.Context, cmd string, q url.Values, out any) error {
	resp, err := k.call(ctx, cmd, q, nil, "")
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			_ = finish(resp)
			return fmt.Errorf("store: kubo %s: decode: %w", cmd, err)
		}
	}
	return finish(resp)
}

// Add implements Store with the same import profile as Embedded, spelled
// out on every request rather than relying on the daemon's Import config
// (Kubo still defaults to CIDv0 with 256 KiB chunks).
func (k *Kubo) Add(ctx context.Context, r io.Reader, name string) (cid.Cid, error) {
	if r == nil {
		return cid.Undef, errors.New("store: Add: nil reader")
	}
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()

	q := url.Values{}
	q.Set("cid-version", "1")
	q.Set("hash", "sha2-256")
	q.Set("raw-leaves", "true")
	q.Set("chunker", kuboChunker)
	q.Set("max-file-links", strconv.Itoa(maxFileLinks))
	q.Set("trickle", "false")
	q.Set("inline", "false")
	q.Set("pin", "true")
	if name != "" {
		q.Set("pin-name", name)
	}
	q.Set("quieter", "true")
	q.Set("progress", "false")

	// Stream the multipart body so a large payload is never held twice.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", "payload")
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	resp, err := k.call(ctx, "add", q, pr, mw.FormDataContentType())
	if err != nil {
		pr.CloseWithError(err)
		return cid.Undef, err
	}
	// The response is a stream of JSON objects; with quieter only the root.
	var last struct{ Hash string }
	dec := json.NewDecoder(resp.Body)
	for {
		var ev struct{ Hash string }
		if err := dec.Decode(&ev); err == io.EOF {
			break
		} else if err != nil {
			_ = finish(resp)
			return cid.Undef, fmt.Errorf("store: kubo add: decode: %w", err)
		}
		if ev.Hash != "" {
			last = ev
		}
	}
	if err := finish(resp); err != nil {
		return cid.Undef, err
	}
	c, err := cid.Decode(last.Hash)
	if err != nil {
		return cid.Undef, fmt.Errorf("store: kubo add: bad root %q: %w", last.Hash, err)
	}
	return c, nil
}

// Get implements Store: files/stat gives the UnixFS size from the root
// block alone, then cat streams the file through a capped reader.
func (k *Kubo) Get(ctx context.Context, c cid.Cid, maxSize int64) ([]byte, error) {
	if err := validateGet(c, maxSize); err != nil {
		return nil, err
	}
	start := time.Now()
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()

	data, err := k.get(ctx, c, maxSize)
	if err != nil && isKuboNotFound(ctx, err) {
		return nil, notFoundError(ctx, c, start, err)
	}
	return data, err
}

func (k *Kubo) get(ctx context.Context, c cid.Cid, maxSize int64) ([]byte, error) {
	var st struct {
		Type string
		Size int64
	}
	if err := k.callJSON(ctx, "files/stat", url.Values{"arg": {"/ipfs/" + c.String()}}, &st); err != nil {
		return nil, err
	}
	if st.Type != "file" {
		return nil, fmt.Errorf("%w: %s is a %q", ErrNotFile, c, st.Type)
	}
	if st.Size > maxSize || st.Size < 0 {
		return nil, tooLargeError(c, st.Size, maxSize)
	}
	q := url.Values{"arg": {c.String()}, "length": {strconv.FormatInt(maxSize+1, 10)}}
	resp, err := k.call(ctx, "cat", q, nil, "")
	if err != nil {
		return nil, err
	}
	data, err := readCapped(resp.Body, c, st.Size, maxSize)
	if ferr := finish(resp); err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	if c.Type() == cid.Raw {
		if got, err := c.Prefix().Sum(data); err != nil || !got.Equals(c) {
			return nil, fmt.Errorf("store: kubo returned bytes that do not hash to %s", c)
		}
	}
	return data, nil
}

// isKuboNotFound: our deadline passed, or Kubo's own timeout (which we set
// from it) or offline lookup gave up.
func isKuboNotFound(ctx context.Context, err error) bool {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotFile) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var ke *KuboError
	if errors.As(err, &ke) && ke.Status == http.StatusInternalServerError {
		m := strings.ToLower(ke.Message)
		return strings.Contains(m, "deadline exceeded") || strings.Contains(m, "not found")
	}
	return false
}

// isKuboMissing: Kubo reports a command that failed as HTTP 500 with its
// message; a 404 means a wrong URL, not a missing block.
func isKuboMissing(err error) bool {
	var ke *KuboError
	return errors.As(err, &ke) && ke.Status == http.StatusInternalServerError &&
		strings.Contains(strings.ToLower(ke.Message), "not found")
}

// Has implements Store: dag/stat walks the whole DAG, and offline=true (a
// Kubo global option) keeps the daemon from fetching what is missing.
func (k *Kubo) Has(ctx context.Context, c cid.Cid) (bool, error) {
	if err := validateCID(c); err != nil {
		return false, err
	}
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()
	q := url.Values{"arg": {c.String()}, "offline": {"true"}, "progress": {"false"}}
	err := k.callJSON(ctx, "dag/stat", q, nil)
	switch {
	case err == nil:
		return true, nil
	case isKuboMissing(err):
		return false, nil
	default:
		return false, fmt.Errorf("store: has %s: %w", c, err)
	}
}

// Pin implements Store.
func (k *Kubo) Pin(ctx context.Context, c cid.Cid, name string) error {
	if err := validateCID(c); err != nil {
		return err
	}
	start := time.Now()
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()
	q := url.Values{"arg": {c.String()}, "recursive": {"true"}, "progress": {"false"}}
	if name != "" {
		q.Set("name", name)
	}
	err := k.callJSON(ctx, "pin/add", q, nil)
	if err != nil && isKuboNotFound(ctx, err) {
		return notFoundError(ctx, c, start, err)
	}
	return err
}

// Unpin implements Store.
func (k *Kubo) Unpin(ctx context.Context, c cid.Cid) error {
	if err := validateCID(c); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()
	err := k.callJSON(ctx, "pin/rm", url.Values{"arg": {c.String()}, "recursive": {"true"}}, nil)
	var ke *KuboError
	if errors.As(err, &ke) && ke.Status == http.StatusInternalServerError && strings.Contains(ke.Message, "not pinned") {
		return fmt.Errorf("%w: %s: %w", ErrNotPinned, c, err)
	}
	return err
}

// Pins implements Store: recursive and direct pins, as for Embedded
// (type=all would also walk every pinned DAG for indirect pins).
func (k *Kubo) Pins(ctx context.Context) ([]PinInfo, error) {
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()
	var out []PinInfo
	for _, typ := range []string{"recursive", "direct"} {
		var res struct {
			Keys map[string]struct{ Name string }
		}
		if err := k.callJSON(ctx, "pin/ls", url.Values{"type": {typ}, "names": {"true"}}, &res); err != nil {
			return nil, err
		}
		for s, v := range res.Keys {
			c, err := cid.Decode(s)
			if err != nil {
				return nil, fmt.Errorf("store: kubo pin/ls: bad cid %q: %w", s, err)
			}
			out = append(out, PinInfo{CID: c, Name: v.Name})
		}
	}
	sortPins(out)
	return out, nil
}

// GC implements Store with repo/gc, counting the keys Kubo reports removed.
func (k *Kubo) GC(ctx context.Context) (int, error) {
	ctx, cancel := withDefaultTimeout(ctx, k.timeout)
	defer cancel()
	resp, err := k.call(ctx, "repo/gc", url.Values{}, nil, "")
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	dec := json.NewDecoder(resp.Body)
	for {
		var ev struct {
			Key   map[string]string
			Error string
		}
		if err := dec.Decode(&ev); err == io.EOF {
			break
		} else if err != nil {
			_ = finish(resp)
			return n, fmt.Errorf("store: kubo repo/gc: decode: %w", err)
		}
		if ev.Error != "" {
			errs = append(errs, errors.New(ev.Error))
		} else if ev.Key["/"] != "" {
			n++
		}
	}
	if err := finish(resp); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("store: kubo repo/gc: %w", err)
	}
	return n, nil
}
