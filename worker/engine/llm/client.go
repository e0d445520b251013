// Package llm guides the embedded PBE synthesizer with a local language
// model behind an OpenAI-compatible API (Ollama, llama.cpp's llama-server,
// vLLM), as HYSYNTH does: the model samples a few candidate programs for a
// task, their productions become a grammar prior for that task, and the
// bottom-up search runs under it mixed with the node's conditioned prior.
// Every answer is still checked against the task's examples and every
// artifact is still a verifiable program: a poor model can slow the search,
// never make it wrong. When the server cannot be reached the engine solves
// alone and says so.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Config locates the server and tunes the guidance.
type Config struct {
	// BaseURL is the API root, e.g. http://127.0.0.1:11434/v1 (Ollama) or
	// http://127.0.0.1:8080/v1 (llama-server).
	BaseURL string
	Model   string
	// APIKey is sent as a bearer token when set (vLLM --api-key).
	APIKey string
	// Timeout bounds one request, Retries how often a failed one is tried
	// again (connection errors, 429 and 5xx only).
	Timeout time.Duration
	Retries int
	// Concurrency bounds the requests in flight to the server.
	Concurrency int
	// Samples is how many answers are sampled per task.
	Samples int
	// Temperature and MaxTokens shape each sample.
	Temperature float64
	MaxTokens   int
	// WeightPPM is the samples' share of the evidence in the prior the
	// search runs under (pbe.SolveGuided).
	WeightPPM uint32
	// Exemplars is how many programs of the field are shown as few-shot
	// examples.
	Exemplars int
	// AllowRemote permits a server that is not on this machine. A task's
	// examples are its owner's private data: by default they only go to a
	// loopback address.
	AllowRemote bool
}

// DefaultConfig is the configuration for an Ollama on this machine.
func DefaultConfig() Config {
	return Config{BaseURL: "http://127.0.0.1:11434/v1", Timeout: 30 * time.Second, Retries: 2, Concurrency: 2,
		Samples: 4, Temperature: 0.8, MaxTokens: 256, WeightPPM: 500_000, Exemplars: 4}
}

// Validate reports the first setting that cannot work, as "key: problem".
func (c Config) Validate() error {
	var errs []string
	bad := func(key, format string, a ...any) { errs = append(errs, key+": "+fmt.Sprintf(format, a...)) }
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		bad("url", "empty; set the server's OpenAI-compatible API root, e.g. http://127.0.0.1:11434/v1 for Ollama")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("url", "%q is not an http(s) URL", c.BaseURL)
	case !c.AllowRemote && !loopback(u.Hostname()):
		bad("url", "%q is not on this machine; the prompts hold your tasks' examples, so set allow_remote = true only for a server you trust with them", c.BaseURL)
	}
	if c.Model == "" {
		bad("model", "empty; name a model the server has (ollama list, or GET %s/models)", strings.TrimRight(c.BaseURL, "/"))
	}
	if c.Timeout <= 0 {
		bad("timeout", "must be positive, e.g. \"30s\"")
	}
	if c.Retries < 0 || c.Retries > 10 {
		bad("retries", "%d: use 0 to 10", c.Retries)
	}
	if c.Concurrency < 1 || c.Concurrency > 64 {
		bad("concurrency", "%d: use 1 to 64", c.Concurrency)
	}
	if c.Samples < 1 || c.Samples > 64 {
		bad("samples", "%d: use 1 to 64", c.Samples)
	}
	if !(c.Temperature >= 0 && c.Temperature <= 2) {
		bad("temperature", "%v: use 0 to 2", c.Temperature)
	}
	if c.MaxTokens < 16 || c.MaxTokens > 8192 {
		bad("max_tokens", "%d: use 16 to 8192", c.MaxTokens)
	}
	if c.WeightPPM > 990_000 {
		bad("weight", "%v: use 0 to 0.99 (the node's own prior keeps a share)", float64(c.WeightPPM)/1e6)
	}
	if c.Exemplars < 0 || c.Exemplars > 32 {
		bad("exemplars", "%d: use 0 to 32", c.Exemplars)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Errors a caller can tell apart.
var (
	// ErrUnreachable: no answer from the server (not running, wrong port).
	ErrUnreachable = errors.New("llm server unreachable")
	// ErrModelMissing: the server answers but does not have the model.
	ErrModelMissing = errors.New("model not on the llm server")
)

// Client talks to one server and model.
type Client struct {
	cfg Config
	api *openai.Client
	sem chan struct{}
}

// NewClient checks cfg and builds a client; it does not contact the server.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	// Timeouts are per request (contexts); the transport only bounds the
	// connection so a dead host fails fast.
	oc.HTTPClient = &http.Client{Transport: &http.Transport{
		Proxy:               nil, // the server is local; never route prompts through a proxy from the environment
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: cfg.Concurrency,
	}}
	return &Client{cfg: cfg, api: openai.NewClientWithConfig(oc), sem: make(chan struct{}, cfg.Concurrency)}, nil
}

// Check asks the server for its models and reports whether the configured
// one is there.
func (c *Client) Check(ctx context.Context) error {
	var list openai.ModelsList
	err := c.retry(ctx, func(ctx context.Context) (err error) {
		list, err = c.api.ListModels(ctx)
		return err
	})
	if err != nil {
		return c.explain(err)
	}
	var ids []string
	for _, m := range list.Models {
		if m.ID == c.cfg.Model || strings.TrimSuffix(m.ID, ":latest") == c.cfg.Model {
			return nil
		}
		ids = append(ids, m.ID)
	}
	sort.Strings(ids)
	return fmt.Errorf("%w: %q is not among the models of %s (%s); pull or create it first (ollama pull %s)",
		ErrModelMissing, c.cfg.Model, c.cfg.BaseURL, strings.Join(ids, ", "), c.cfg.Model)
}

// Warm asks for one token, so that a server which loads models on demand
// (Ollama) has the model in memory before the first task's deadline.
func (c *Client) Warm(ctx context.Context) error {
	err := c.retry(ctx, func(ctx context.Context) error {
		_, err := c.api.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: c.cfg.Model, MaxTokens: 1,
			Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "("}}})
		return err
	})
	if err != nil {
		return c.explain(err)
	}
	return nil
}

// Sample asks for n answers to the conversation, at most Concurrency at a
// time, each with its own seed so that servers which honour seeds give n
// different and reproducible answers. It returns the answers it got, in
// request order, and an error only when none came.
func (c *Client) Sample(ctx context.Context, msgs []openai.ChatCompletionMessage, n int, seed int) ([]string, error) {
	out := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := seed + i
			req := openai.ChatCompletionRequest{Model: c.cfg.Model, Messages: msgs, MaxTokens: c.cfg.MaxTokens,
				Temperature: float32(c.cfg.Temperature), Seed: &s}
			errs[i] = c.retry(ctx, func(ctx context.Context) error {
				resp, err := c.api.CreateChatCompletion(ctx, req)
				if err != nil {
					return err
				}
				if len(resp.Choices) == 0 {
					return errors.New("the server answered with no choices")
				}
				out[i] = resp.Choices[0].Message.Content
				return nil
			})
		}()
	}
	wg.Wait()
	var got []string
	var first error
	for i := range n {
		if errs[i] == nil {
			got = append(got, out[i])
		} else if first == nil {
			first = errs[i]
		}
	}
	if len(got) == 0 && first != nil {
		return nil, c.explain(first)
	}
	return got, nil
}

// Embed returns the server's embedding of each text.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	var resp openai.EmbeddingResponse
	err := c.retry(ctx, func(ctx context.Context) (err error) {
		resp, err = c.api.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(c.cfg.Model)})
		return err
	})
	if err != nil {
		return nil, c.explain(err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings: %d vectors for %d texts", len(resp.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || len(d.Embedding) == 0 {
			return nil, fmt.Errorf("embeddings: bad item (index %d, %d dimensions)", d.Index, len(d.Embedding))
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// retry runs call with the per-request timeout, again after 250 ms, 500 ms,
// ... when the failure may pass (no connection, 429, 5xx).
func (c *Client) retry(ctx context.Context, call func(context.Context) error) error {
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return ctx.Err()
	}
	var err error
	for attempt := 0; ; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		err = call(rctx)
		cancel()
		if err == nil || attempt >= c.cfg.Retries || ctx.Err() != nil || !transient(err) {
			return err
		}
		select {
		case <-time.After(250 * time.Millisecond << attempt):
		case <-ctx.Done():
			return err
		}
	}
}

func transient(err error) bool {
	var api *openai.APIError
	var req *openai.RequestError
	switch {
	case errors.As(err, &api):
		return api.HTTPStatusCode == 429 || api.HTTPStatusCode >= 500
	case errors.As(err, &req):
		return req.HTTPStatusCode == 429 || req.HTTPStatusCode >= 500
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}

// explain turns a client error into one that says what to do.
func (c *Client) explain(err error) error {
	var api *openai.APIError
	var req *openai.RequestError
	switch {
	case errors.As(err, &api) && api.HTTPStatusCode == 404, errors.As(err, &req) && req.HTTPStatusCode == 404:
		return fmt.Errorf("%w: %s answered 404 for model %q (%v); check the model name and that the URL ends in /v1", ErrModelMissing, c.cfg.BaseURL, c.cfg.Model, err)
	case errors.As(err, &api), errors.As(err, &req):
		return fmt.Errorf("llm server %s: %w", c.cfg.BaseURL, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %s did not answer within %s (raise engine.llm.timeout for a slow model): %v", ErrUnreachable, c.cfg.BaseURL, c.cfg.Timeout, err)
	case errors.Is(err, context.Canceled):
		return err
	}
	return fmt.Errorf("%w: %s: %v (is the server running? e.g. 'ollama serve')", ErrUnreachable, c.cfg.BaseURL, err)
}
