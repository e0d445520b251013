package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runRoundByHand runs scripts/demo-round.sh against validator 0 of ln: four
// nodes register, commit, reveal and attest with real txs, dave lies as a
// verifier; the field is read over REST, rewards are paid and the liar loses
// reputation. TestFourValidators calls it on its 4-validator network.
func runRoundByHand(t *testing.T, ln *localnet) {
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "demo-round.sh"))
	cmd.Env = append(os.Environ(), "H3LIXD="+ln.bin, "H3LIXD_HOME="+ln.home(0), "API="+ln.api(0))
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(4 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("demo-round.sh did not finish in 4 minutes:\n%s", out)
	}
	require.NoError(t, err, string(out))
	s := string(out)
	t.Log(tail(s, 1500))

	require.Regexp(t, `"entries":\[\{"artifact_id"`, s, "the field has entries")
	require.Regexp(t, `"producer_rewards":\{"denom":"uhlx","amount":"[1-9]`, s, "producers were paid")
	require.Regexp(t, `"verifier_rewards":\{"denom":"uhlx","amount":"[1-9]`, s, "verifiers were paid")

	scores := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^(\w+)\s+score (\d+) ppm$`).FindAllStringSubmatch(s, -1) {
		v, _ := strconv.Atoi(m[2])
		scores[m[1]] = v
	}
	require.Len(t, scores, 4, s)
	for _, honest := range []string{"alice", "bob", "carol"} {
		require.Greater(t, scores[honest], 250_000, "%s gained reputation (initial score 0.25)", honest)
		require.Greater(t, scores[honest], scores["dave"], "the lying verifier ranks below %s", honest)
	}
	require.Less(t, scores["dave"], 250_000, "the lying verifier lost reputation")
	require.True(t, strings.Contains(s, "dave attested"), s)

	// The other ccf REST routes answer (fixed paths, not shadowed by {round}).
	var latest struct {
		Field struct {
			Round   string            `json:"round"`
			Entries []json.RawMessage `json:"entries"`
		} `json:"field"`
	}
	ln.getJSON(ln.api(0)+"/h3lix/ccf/v1/latest_field", &latest)
	require.NotEmpty(t, latest.Field.Round)

	// The round's seed came from the validators' beacon: the vote extensions
	// of at least three of the four validators (more than two thirds).
	var round struct {
		Round struct {
			SeedSource       string `json:"seed_source"`
			SeedContributors int    `json:"seed_contributors"`
		} `json:"round"`
	}
	ln.getJSON(ln.api(0)+"/h3lix/ccf/v1/rounds/"+latest.Field.Round, &round)
	require.Equal(t, "SEED_SOURCE_VALIDATOR_BEACON", round.Round.SeedSource)
	require.GreaterOrEqual(t, round.Round.SeedContributors, 3)
	var current struct {
		Phase string `json:"phase"`
	}
	ln.getJSON(ln.api(0)+"/h3lix/ccf/v1/current_round", &current)
	require.NotEmpty(t, current.Phase)
}
