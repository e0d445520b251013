package llm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/llm/llmtest"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

const testdata = "../pbe/testdata/"

func task(t *testing.T, name string) engine.Task {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return engine.Task{ID: name, Spec: b}
}

func cfgFor(url string) Config {
	c := DefaultConfig()
	c.BaseURL, c.Model = url, llmtest.Model
	return c
}

func TestConfigValidate(t *testing.T) {
	if err := cfgFor("http://127.0.0.1:11434/v1").Validate(); err != nil {
		t.Fatalf("default: %v", err)
	}
	cases := []struct {
		key string
		mod func(*Config)
	}{
		{"url", func(c *Config) { c.BaseURL = "" }},
		{"url", func(c *Config) { c.BaseURL = "127.0.0.1:11434" }},
		{"url", func(c *Config) { c.BaseURL = "ftp://127.0.0.1/v1" }},
		{"url", func(c *Config) { c.BaseURL = "https://api.example.com/v1" }},
		{"model", func(c *Config) { c.Model = "" }},
		{"timeout", func(c *Config) { c.Timeout = 0 }},
		{"retries", func(c *Config) { c.Retries = -1 }},
		{"concurrency", func(c *Config) { c.Concurrency = 0 }},
		{"samples", func(c *Config) { c.Samples = 0 }},
		{"samples", func(c *Config) { c.Samples = 65 }},
		{"temperature", func(c *Config) { c.Temperature = -0.1 }},
		{"max_tokens", func(c *Config) { c.MaxTokens = 1 }},
		{"weight", func(c *Config) { c.WeightPPM = 1_000_000 }},
		{"exemplars", func(c *Config) { c.Exemplars = -1 }},
	}
	for _, c := range cases {
		cfg := cfgFor("http://127.0.0.1:11434/v1")
		c.mod(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), c.key+": ") {
			t.Errorf("%s: got %v", c.key, err)
		}
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%s: NewClient accepted a bad config", c.key)
		}
	}
	remote := cfgFor("https://gpu.example.com/v1")
	remote.AllowRemote = true
	if err := remote.Validate(); err != nil {
		t.Errorf("allow_remote: %v", err)
	}
	for _, host := range []string{"http://localhost:8080/v1", "http://[::1]:8080/v1", "http://127.0.0.2:8080/v1"} {
		if err := cfgFor(host).Validate(); err != nil {
			t.Errorf("%s is loopback: %v", host, err)
		}
	}
}

func TestPromptHoldsTheTaskNotItsComments(t *testing.T) {
	tk := task(t, "lastname.sl")
	p, err := sygus.Parse(string(tk.Spec))
	if err != nil {
		t.Fatal(err)
	}
	msgs := Prompt(p, string(tk.Spec), []string{`(define-fun f ((name String)) String (str.substr name 0 1))`})
	user := msgs[1].Content
	for _, want := range []string{"(synth-fun f ((name String)) String", `(constraint (= (f "Ada Lovelace") "Lovelace"))`, "(str.substr name 0 1)", "(check-synth)"} {
		if !strings.Contains(user, want) {
			t.Errorf("prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "H3LIX test task") {
		t.Errorf("prompt quotes the task's comments:\n%s", user)
	}
}

// openAI serves the chat/completions and models endpoints in OpenAI's
// format with scripted answers: a stand-in for a capable model, which the
// tiny test model is not. status, when set, is answered to the first
// fail requests.
func openAI(t *testing.T, answer string, status, fail int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		if int(k) <= fail {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"message":"busy","type":"server_error"}}`))
			return
		}
		switch r.URL.Path {
		case "/v1/models":
			_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"h3lix-stories:latest","object":"model"}]}`))
		case "/v1/chat/completions":
			var req map[string]any
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req["model"] != llmtest.Model {
				w.WriteHeader(400)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion",
				"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": answer}, "finish_reason": "stop"}}})
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetriesOnlyWhatMayPass(t *testing.T) {
	ctx := context.Background()
	srv, n := openAI(t, "x", 503, 2)
	c, _ := NewClient(cfgFor(srv.URL + "/v1"))
	if err := c.Check(ctx); err != nil || n.Load() != 3 {
		t.Errorf("two 503s then success: %v after %d requests", err, n.Load())
	}
	srv, n = openAI(t, "x", 400, 1)
	c, _ = NewClient(cfgFor(srv.URL + "/v1"))
	if err := c.Check(ctx); err == nil || n.Load() != 1 {
		t.Errorf("a 400 must not be retried: %v after %d requests", err, n.Load())
	}
	srv, _ = openAI(t, "x", 0, 0)
	cfg := cfgFor(srv.URL + "/v1")
	cfg.Model = "other"
	c, _ = NewClient(cfg)
	if err := c.Check(ctx); !errors.Is(err, ErrModelMissing) || !strings.Contains(err.Error(), "h3lix-stories:latest") {
		t.Errorf("missing model: %v", err)
	}
}

// TestGuidanceFromACapableModel: a model that answers with a near miss
// (wrong separator) makes the search cheaper, and one that answers right is
// taken only after the check.
func TestGuidanceFromACapableModel(t *testing.T) {
	ctx := context.Background()
	tk := task(t, "lastname.sl")
	budget := engine.Budget{Candidates: 20_000_000}
	alone, err := pbe.New(pbe.Options{}, 1).Solve(ctx, tk, budget)
	if err != nil || !alone.Solved {
		t.Fatal(alone, err)
	}
	near := "```\n(define-fun f ((s String)) String (str.substr s (+ (str.indexof s \".\" 0) 1) (str.len s)))\n```"
	srv, _ := openAI(t, near, 0, 0)
	inner := pbe.New(pbe.Options{}, 1)
	e, err := New(cfgFor(srv.URL+"/v1"), inner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if engine.BaseOf(e) != engine.Engine(inner) || engine.BaseOf(inner) != engine.Engine(inner) {
		t.Error("BaseOf must give the guided PBE engine")
	}
	res, err := e.Solve(ctx, tk, budget)
	if err != nil || !res.Solved || res.Candidates >= alone.Candidates {
		t.Errorf("guided by a near miss: solved %v after %d candidates, alone %d (%v)", res.Solved, res.Candidates, alone.Candidates, err)
	}
	if st := e.Stats(); st.Guided != 1 || st.Parsed != 4 || st.Fallbacks != 0 {
		t.Errorf("stats %+v", st)
	}
	arts, err := e.Distill(ctx, []engine.Result{res})
	if err != nil || len(arts) != 1 || arts[0].Manifest.Kind != pbe.KindLLM {
		t.Fatalf("distill: %v %v", arts, err)
	}
	if v, err := pbe.New(pbe.Options{}, 2).Verify(ctx, arts[0]); err != nil || v.Verdict != engine.VerdictValid {
		t.Errorf("a plain PBE node must verify a guided artifact: %v %v", v, err)
	}
	t.Logf("lastname.sl: alone %d candidates, guided by a near miss %d", alone.Candidates, res.Candidates)

	// A task solved while the server was down is the embedded engine's
	// alone: its artifact must not claim guidance, even distilled in one
	// batch with a guided one.
	down, _ := openAI(t, near, 0, 0)
	down.Close()
	cfg := cfgFor(down.URL + "/v1")
	cfg.Retries = 0
	e2, err := New(cfg, pbe.New(pbe.Options{}, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	fell, err := e2.Solve(ctx, task(t, "area-code.sl"), budget)
	if err != nil || !fell.Solved || fell.Guided || !strings.Contains(fell.Note, "embedded engine alone") {
		t.Fatalf("fallback: solved %v guided %v note %q (%v)", fell.Solved, fell.Guided, fell.Note, err)
	}
	if !res.Guided {
		t.Error("a guided result must say so")
	}
	arts, err = e2.Distill(ctx, []engine.Result{fell, res})
	if err != nil || len(arts) != 2 {
		t.Fatalf("distill: %d artifacts, %v", len(arts), err)
	}
	if arts[0].Manifest.Kind != pbe.Kind || arts[1].Manifest.Kind != pbe.KindLLM {
		t.Errorf("kinds %q, %q: want %q for the fallback, %q for the guided", arts[0].Manifest.Kind, arts[1].Manifest.Kind, pbe.Kind, pbe.KindLLM)
	}
}

// TestAgainstOllama runs the engine against a real Ollama serving a real
// (tiny) Llama that writes children's stories, never SyGuS.
func TestAgainstOllama(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an Ollama server")
	}
	srv := llmtest.Start(t)
	ctx := context.Background()
	cfg := cfgFor(srv.BaseURL)
	cfg.Samples = 4

	t.Run("models", func(t *testing.T) {
		c, _ := NewClient(cfg)
		if err := c.Check(ctx); err != nil {
			t.Fatal(err)
		}
		other := cfg
		other.Model = "no-such-model"
		c, _ = NewClient(other)
		if err := c.Check(ctx); !errors.Is(err, ErrModelMissing) {
			t.Errorf("missing model: %v", err)
		}
	})
	t.Run("samples", func(t *testing.T) {
		c, _ := NewClient(cfg)
		p, _ := sygus.Parse(string(task(t, "lastname.sl").Spec))
		got, err := c.Sample(ctx, Prompt(p, string(task(t, "lastname.sl").Spec), nil), 3, 1)
		if err != nil || len(got) != 3 {
			t.Fatalf("%d samples: %v", len(got), err)
		}
		for _, s := range got {
			if strings.TrimSpace(s) == "" {
				t.Errorf("empty sample")
			}
		}
		vs, err := c.Embed(ctx, []string{"hello", "(str.len name)"})
		if err != nil || len(vs) != 2 || len(vs[0]) == 0 {
			t.Errorf("embeddings: %d vectors: %v", len(vs), err)
		}
	})
	t.Run("garbage samples leave the answers correct", func(t *testing.T) {
		e, err := New(cfg, pbe.New(pbe.Options{}, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"lastname.sl", "area-code.sl", "join.sl", "prefix-bool.sl"} {
			tk := task(t, name)
			alone, err := pbe.New(pbe.Options{}, 1).Solve(ctx, tk, engine.Budget{Candidates: 20_000_000})
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Solve(ctx, tk, engine.Budget{Candidates: 20_000_000})
			if err != nil || !res.Solved || res.Answer != alone.Answer {
				t.Errorf("%s: guided %q (%v), alone %q", name, res.Answer, err, alone.Answer)
			}
			if !strings.Contains(res.Note, "4 samples") {
				t.Errorf("%s: note %q", name, res.Note)
			}
		}
		if st := e.Stats(); st.Guided != 4 || st.Samples != 16 || st.Fallbacks != 0 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("timeout falls back", func(t *testing.T) {
		slow := cfg
		slow.Timeout, slow.Retries = time.Millisecond, 0
		e, _ := New(slow, pbe.New(pbe.Options{}, 1), nil)
		res, err := e.Solve(ctx, task(t, "lastname.sl"), engine.Budget{Candidates: 20_000_000})
		if err != nil || !res.Solved || !strings.Contains(res.Note, "did not answer within") {
			t.Errorf("solved %v, note %q, err %v", res.Solved, res.Note, err)
		}
	})
	t.Run("server down falls back", func(t *testing.T) {
		e, _ := New(cfg, pbe.New(pbe.Options{}, 1), nil)
		srv.Stop()
		c, _ := NewClient(cfg)
		if err := c.Check(ctx); !errors.Is(err, ErrUnreachable) || !IsUnavailable(err) {
			t.Errorf("check on a stopped server: %v", err)
		}
		res, err := e.Solve(ctx, task(t, "area-code.sl"), engine.Budget{Candidates: 20_000_000})
		if err != nil || !res.Solved || !strings.Contains(res.Note, "embedded engine alone") {
			t.Errorf("solved %v, note %q, err %v", res.Solved, res.Note, err)
		}
		if st := e.Stats(); st.Fallbacks != 1 || !strings.Contains(st.LastError, "unreachable") {
			t.Errorf("stats %+v", st)
		}
	})
}
