// Package e2e builds h3lixd and drives the real binary, the localnet script,
// the CLI and the REST API, the way a person following the README would.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// binary builds h3lixd once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "h3lix-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "h3lixd")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/h3lixd")
		cmd.Dir = repoRoot(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// localnet is one network run by scripts/localnet.sh.
type localnet struct {
	t      *testing.T
	bin    string
	dir    string
	offset int
}

func startLocalnet(t *testing.T, validators, offset int, extraEnv ...string) *localnet {
	t.Helper()
	// A dot in the path, as in ./.localnet, keeps the scripts honest about paths.
	ln := &localnet{t: t, bin: binary(t), dir: filepath.Join(t.TempDir(), ".localnet", "net"), offset: offset}
	out, err := ln.script(extraEnv, "start", strconv.Itoa(validators))
	require.NoError(t, err, out)
	t.Cleanup(func() {
		if out, err := ln.script(nil, "stop"); err != nil {
			t.Logf("stopping localnet: %v\n%s", err, out)
		}
		if t.Failed() {
			for i := 0; i < validators; i++ {
				if log, err := os.ReadFile(filepath.Join(ln.dir, fmt.Sprintf("node%d.log", i))); err == nil {
					t.Logf("node%d.log (tail):\n%s", i, tail(string(log), 3000))
				}
			}
		}
	})
	return ln
}

func (ln *localnet) script(extraEnv []string, args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{filepath.Join(repoRoot(ln.t), "scripts", "localnet.sh")}, args...)...)
	// The tests start their own workers; networks/local would start three.
	cmd.Env = append(os.Environ(), "H3LIXD="+ln.bin, "LOCALNET_DIR="+ln.dir, "LOCALNET_PORT_OFFSET="+strconv.Itoa(ln.offset), "LOCALNET_WORKERS=0")
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (ln *localnet) home(i int) string { return filepath.Join(ln.dir, fmt.Sprintf("node%d", i)) }
func (ln *localnet) api(i int) string  { return fmt.Sprintf("http://127.0.0.1:%d", 1317+ln.offset+i) }
func (ln *localnet) rpc(i int) string  { return fmt.Sprintf("tcp://127.0.0.1:%d", 26657+ln.offset+i) }

// cli runs h3lixd against validator 0's home (its client.toml names the chain,
// the test keyring and the RPC address).
func (ln *localnet) cli(args ...string) (string, error) {
	cmd := exec.Command(ln.bin, args...)
	cmd.Env = append(os.Environ(), "H3LIXD_HOME="+ln.home(0))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (ln *localnet) mustCLI(args ...string) string {
	ln.t.Helper()
	out, err := ln.cli(args...)
	require.NoError(ln.t, err, "h3lixd %s\n%s", strings.Join(args, " "), out)
	return out
}

func (ln *localnet) height(i int) int64 {
	out, err := exec.Command(ln.bin, "status", "--node", ln.rpc(i)).Output()
	if err != nil {
		return -1
	}
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if json.Unmarshal(out, &st) != nil {
		return -1
	}
	h, _ := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	return h
}

func (ln *localnet) waitHeight(i int, h int64, timeout time.Duration) {
	ln.t.Helper()
	require.Eventually(ln.t, func() bool { return ln.height(i) >= h }, timeout, 200*time.Millisecond,
		"node%d did not reach height %d (at %d)", i, h, ln.height(i))
}

// tx broadcasts a tx command and waits until it is in a block; it returns the
// tx result as JSON.
func (ln *localnet) tx(args ...string) map[string]any {
	ln.t.Helper()
	out := ln.mustCLI(append(args, "--gas", "auto", "--gas-adjustment", "1.5", "-y", "-o", "json")...)
	var resp struct {
		TxHash string `json:"txhash"`
		Code   int    `json:"code"`
		RawLog string `json:"raw_log"`
	}
	require.NoError(ln.t, json.Unmarshal([]byte(lastLine(out)), &resp), out)
	require.Zero(ln.t, resp.Code, resp.RawLog)
	res := ln.mustCLI("query", "wait-tx", resp.TxHash, "--timeout", "30s", "-o", "json")
	var result map[string]any
	require.NoError(ln.t, json.Unmarshal([]byte(lastLine(res)), &result), res)
	require.EqualValues(ln.t, 0, result["code"], "tx failed: %v", result["raw_log"])
	return result
}

func (ln *localnet) getJSON(url string, v any) {
	ln.t.Helper()
	resp, err := http.Get(url) //nolint:gosec // loopback
	require.NoError(ln.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(ln.t, err)
	require.Equal(ln.t, http.StatusOK, resp.StatusCode, "%s: %s", url, body)
	require.NoError(ln.t, json.Unmarshal(body, v), string(body))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
