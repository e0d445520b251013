package energy_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/energy"
)

// powercap lays out a powercap tree as the kernel does: two packages with a
// core sub-domain each and a DRAM domain.
func powercap(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dom := func(dir, name string, uj, max uint64) {
		p := filepath.Join(root, dir)
		require.NoError(t, os.MkdirAll(p, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(p, "name"), []byte(name+"\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(p, "energy_uj"), []byte(strconv.FormatUint(uj, 10)+"\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(p, "max_energy_range_uj"), []byte(strconv.FormatUint(max, 10)+"\n"), 0o644))
	}
	dom("intel-rapl:0", "package-0", 1_000_000, 262_143_328_850)
	dom("intel-rapl:0:0", "core", 500_000, 262_143_328_850)
	dom("intel-rapl:0:1", "dram", 200_000, 65_712_999_613)
	dom("intel-rapl:1", "package-1", 262_143_000_000, 262_143_328_850)
	return root
}

func setUJ(t *testing.T, root, dir string, uj uint64) {
	require.NoError(t, os.WriteFile(filepath.Join(root, dir, "energy_uj"), []byte(strconv.FormatUint(uj, 10)), 0o644))
}

func TestRAPLCountsPackagesAndDRAMWithWrapAround(t *testing.T) {
	root := powercap(t)
	r, err := energy.OpenRAPL(root)
	require.NoError(t, err)
	var names []string
	for _, d := range r.Domains {
		names = append(names, d.Name)
	}
	require.ElementsMatch(t, []string{"package-0", "dram", "package-1"}, names, "the core sub-domain is inside its package")
	before, err := r.Read()
	require.NoError(t, err)
	setUJ(t, root, "intel-rapl:0", 6_000_000)   // +5 J
	setUJ(t, root, "intel-rapl:0:1", 1_200_000) // +1 J
	setUJ(t, root, "intel-rapl:1", 671_150)     // wrapped: 328,850 to the max, then 671,150: +1 J
	after, err := r.Read()
	require.NoError(t, err)
	require.InDelta(t, 7.0, r.Joules(before, after), 1e-9)
}

func TestRAPLMissingOrUnreadable(t *testing.T) {
	_, err := energy.OpenRAPL(t.TempDir())
	require.ErrorContains(t, err, "no package or dram domain")
	root := powercap(t)
	require.NoError(t, os.WriteFile(filepath.Join(root, "intel-rapl:0", "energy_uj"), []byte("garbage"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "intel-rapl:1", "energy_uj"), []byte("garbage"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "intel-rapl:0:1", "energy_uj"), []byte("garbage"), 0o644))
	_, err = energy.OpenRAPL(root)
	require.ErrorContains(t, err, "energy_uj")
	if os.Geteuid() != 0 { // root reads a 0000 file anyway
		root = powercap(t)
		for _, d := range []string{"intel-rapl:0", "intel-rapl:0:1", "intel-rapl:1"} {
			require.NoError(t, os.Chmod(filepath.Join(root, d, "energy_uj"), 0))
		}
		_, err = energy.OpenRAPL(root)
		require.ErrorContains(t, err, "not readable by this user")
	}
}

func TestTDPFromCPUInfo(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cpuinfo")
	var b []byte
	for i := 0; i < 8; i++ {
		b = append(b, []byte("processor\t: "+strconv.Itoa(i)+"\nmodel name\t: AMD Ryzen 7 5800X 8-Core Processor\n\n")...)
	}
	require.NoError(t, os.WriteFile(p, b, 0o644))
	ci, err := energy.ReadCPUInfo(p)
	require.NoError(t, err)
	require.Equal(t, 8, ci.Cores)
	w, ok := ci.WattsPerCore()
	require.True(t, ok)
	require.InDelta(t, 4.1, w, 1e-9, "per thread, whatever the number of processors listed")
	_, ok = energy.CPUInfo{Model: "Mystery CPU", Cores: 4}.WattsPerCore()
	require.False(t, ok)
	require.NoError(t, os.WriteFile(p, []byte("flags: fpu\n"), 0o644))
	_, err = energy.ReadCPUInfo(p)
	require.ErrorContains(t, err, "lists no processor")
	// This machine's own file parses (whatever its model).
	if _, err := os.Stat("/proc/cpuinfo"); err == nil {
		ci, err := energy.ReadCPUInfo("/proc/cpuinfo")
		require.NoError(t, err)
		require.Positive(t, ci.Cores)
	}
}

func TestMachineCPUTimeAndAttribution(t *testing.T) {
	p := filepath.Join(t.TempDir(), "stat")
	require.NoError(t, os.WriteFile(p, []byte("cpu  1000 50 300 9000 100 20 30 5 0 0\ncpu0 500 25 150 4500 50 10 15 2 0 0\nintr 12345\n"), 0o644))
	s, err := energy.MachineCPUTime(p)
	require.NoError(t, err)
	require.InDelta(t, 14.05, s, 1e-9, "(1000+50+300+20+30+5) / 100")
	require.NoError(t, os.WriteFile(p, []byte("cpu  1000 x 300 9000 100 20 30 5 0 0\n"), 0o644))
	_, err = energy.MachineCPUTime(p)
	require.ErrorContains(t, err, "cpu field 2")
	require.NoError(t, os.WriteFile(p, []byte("intr 1\n"), 0o644))
	_, err = energy.MachineCPUTime(p)
	require.ErrorContains(t, err, "no aggregate cpu line")
	if _, err := os.Stat("/proc/stat"); err == nil {
		s, err := energy.MachineCPUTime("/proc/stat")
		require.NoError(t, err)
		require.Positive(t, s)
	}
	require.InDelta(t, 25.0, energy.Attribute(100, 1, 4), 1e-9)
	require.InDelta(t, 100.0, energy.Attribute(100, 5, 4), 1e-9, "never more than the whole")
	require.Zero(t, energy.Attribute(100, 1, 0))
}

// NewMeter prefers RAPL, then configured watts, then the CPU's TDP, then
// the default, and a span measured with RAPL gets the worker's share.
func TestNewMeterPicksTheBestMethod(t *testing.T) {
	dir := t.TempDir()
	cpuinfo := filepath.Join(dir, "cpuinfo")
	require.NoError(t, os.WriteFile(cpuinfo, []byte("processor : 0\nmodel name : Intel(R) Core(TM) i7-9700 CPU\nprocessor : 1\n"), 0o644))
	stat := filepath.Join(dir, "stat")
	require.NoError(t, os.WriteFile(stat, []byte("cpu  100 0 0 900 0 0 0 0 0 0\n"), 0o644))
	root := powercap(t)
	p := energy.Paths{Powercap: root, CPUInfo: cpuinfo, ProcStat: stat}

	m, why := energy.NewMeter(0, 300, 0, p)
	require.Equal(t, energy.MethodRAPL, m.Method, why)
	m, _ = energy.NewMeter(12, 300, 0, p)
	require.Equal(t, energy.MethodCPUTime, m.Method, "configured watts win over RAPL")
	require.Equal(t, 12.0, m.WattsPerCore)
	p.Powercap = dir // no RAPL here
	m, why = energy.NewMeter(0, 300, 0, p)
	require.Equal(t, energy.MethodTDP, m.Method, why)
	require.InDelta(t, 8.1, m.WattsPerCore, 1e-9, "an i7-9700: 65 W over 8 threads")
	p.CPUInfo = filepath.Join(dir, "none")
	m, why = energy.NewMeter(0, 300, 0, p)
	require.Equal(t, energy.MethodCPUTime, m.Method, why)
	require.Equal(t, energy.DefaultWattsPerCore, m.WattsPerCore)
	require.Contains(t, why, "no RAPL")

	// A RAPL span: the machine spent 10 J and 4 busy CPU seconds; the
	// worker's own CPU time is tiny, so its share is small but the method
	// is RAPL's.
	m, _ = energy.NewMeter(0, 300, 0, energy.Paths{Powercap: root, CPUInfo: cpuinfo, ProcStat: stat})
	span := m.Start()
	setUJ(t, root, "intel-rapl:0", 11_000_000)
	require.NoError(t, os.WriteFile(stat, []byte("cpu  500 0 0 900 0 0 0 0 0 0\n"), 0o644))
	r := span.Stop()
	require.Equal(t, energy.MethodRAPL, r.Method)
	require.LessOrEqual(t, r.Joules, uint64(10))
}
