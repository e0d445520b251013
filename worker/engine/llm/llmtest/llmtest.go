// Package llmtest runs a real Ollama server for tests: the binary that
// 'make ollama' builds from its Go module into ./bin, serving the tiny
// Llama of ../shared/models/stories260K.gguf on a loopback port with its
// own model directory. Tests skip with the reason when either is missing,
// unless H3LIX_REQUIRE_OLLAMA is set (CI), where they fail.
package llmtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Model is the name the test model is created under.
const Model = "h3lix-stories"

// Server is a running Ollama.
type Server struct {
	// BaseURL is its OpenAI-compatible API root (…/v1).
	BaseURL string
	// Addr is HOST:PORT.
	Addr string
	cmd  *exec.Cmd
	log  lockedBuffer
}

// Binary is the Ollama to run: $H3LIX_OLLAMA, else ./bin/ollama of the repository.
func Binary() string {
	if b := os.Getenv("H3LIX_OLLAMA"); b != "" {
		return b
	}
	return filepath.Join(repoRoot(), "bin", "ollama")
}

// ModelFile is the GGUF to serve: $H3LIX_LLM_GGUF, else the shared tiny Llama.
func ModelFile() string {
	if m := os.Getenv("H3LIX_LLM_GGUF"); m != "" {
		return m
	}
	return filepath.Join(repoRoot(), "..", "shared", "models", "stories260K.gguf")
}

func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module github.com/h3lix/h3lix\n")) {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func unavailable(t testing.TB, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if os.Getenv("H3LIX_REQUIRE_OLLAMA") != "" {
		t.Fatalf("H3LIX_REQUIRE_OLLAMA is set but %s", msg)
	}
	t.Skipf("%s; run 'make ollama' (builds ./bin/ollama from its Go module, a few minutes once) and keep ../shared/models next to the repository", msg)
}

// Available says what is missing to run Ollama, or nil. Tests that can
// do without it (the worker e2e) use it to choose; with H3LIX_REQUIRE_OLLAMA
// set it is always nil, so that Start fails loudly instead.
func Available() error {
	if os.Getenv("H3LIX_REQUIRE_OLLAMA") != "" {
		return nil
	}
	if _, err := os.Stat(Binary()); err != nil {
		return fmt.Errorf("no Ollama binary at %s (make ollama)", Binary())
	}
	if _, err := os.Stat(ModelFile()); err != nil {
		return fmt.Errorf("no model file at %s", ModelFile())
	}
	return nil
}

// Start runs Ollama until the test ends and creates Model in it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, gguf := Binary(), ModelFile()
	if _, err := os.Stat(bin); err != nil {
		unavailable(t, "no Ollama binary at %s", bin)
	}
	if _, err := os.Stat(gguf); err != nil {
		unavailable(t, "no model file at %s", gguf)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	env := append(os.Environ(), "OLLAMA_HOST="+addr, "OLLAMA_MODELS="+filepath.Join(dir, "models"),
		"HOME="+dir, "OLLAMA_NOPRUNE=1", "OLLAMA_KEEP_ALIVE=1h")
	s := &Server{BaseURL: "http://" + addr + "/v1", Addr: addr}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	// Its own process group: the server starts a runner process per loaded
	// model, and Stop must end those too.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", bin, err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("ollama log (last 2 KiB):\n%s", tail(s.log.String(), 2048))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ollama did not answer on %s within 30 s: %v\n%s", addr, err, tail(s.log.String(), 2048))
		}
		time.Sleep(100 * time.Millisecond)
	}
	mf := filepath.Join(dir, "Modelfile")
	// One thread: llama.cpp's worker threads spin while they wait, and two
	// servers (test packages run in parallel) spinning on two cores made
	// each answer take over 30 s instead of a fraction of one.
	if err := os.WriteFile(mf, []byte("FROM "+gguf+"\nPARAMETER num_thread 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	create := exec.CommandContext(ctx, bin, "create", Model, "-f", mf)
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("ollama create %s: %v\n%s", Model, err, tail(string(out), 2048))
	}
	return s
}

// Stop ends the server (idempotent); later requests fail to connect.
func (s *Server) Stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}

// lockedBuffer is written by the server's output copier and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
