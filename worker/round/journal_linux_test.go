package round

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJournalShortWrite makes a record hit the file size limit halfway
// (RLIMIT_FSIZE, in a child process so nothing else is limited; Go ignores
// SIGXFSZ, so the write just comes back short with EFBIG). The failed append
// must leave no fragment for the next record to be glued onto.
func TestJournalShortWrite(t *testing.T) {
	if path := os.Getenv("H3LIX_JOURNAL_SHORT_WRITE"); path != "" {
		shortWriteChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalShortWrite$", "-test.count=1")
	cmd.Env = append(os.Environ(), "H3LIX_JOURNAL_SHORT_WRITE="+path)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	j := openJournal(t, path)
	require.Equal(t, []Record{artifactRec(1, 0), artifactRec(1, 1)}, j.Round(1).Artifacts)
}

func shortWriteChild(t *testing.T, path string) {
	j, err := OpenJournal(path)
	require.NoError(t, err)
	require.NoError(t, j.Append(artifactRec(1, 0)))
	info, err := os.Stat(path)
	require.NoError(t, err)

	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim))
	limited := lim
	limited.Cur = uint64(info.Size()) + 10
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limited))
	err = j.Append(artifactRec(1, 1))
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim))
	require.Error(t, err)
	require.Len(t, j.Round(1).Artifacts, 1)
	after, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, info.Size(), after.Size(), "the fragment of the failed record is cut off")

	// The caller retries the same record.
	require.NoError(t, j.Append(artifactRec(1, 1)))
	require.NoError(t, j.Close())
}
