package energy

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// MethodRAPL names a measurement from Intel/AMD RAPL counters, attributed
// to the worker by its share of the machine's CPU time.
const MethodRAPL = "rapl×cpu-share"

// MethodTDP names the CPU-time model with the TDP looked up from the CPU
// model in /proc/cpuinfo (as CodeCarbon does when no meter is readable).
const MethodTDP = "cpu-time×tdp(cpuinfo)/cores"

// RAPLDomain is one powercap energy counter.
type RAPLDomain struct {
	// Name is the domain's name file: package-0, dram, core, uncore...
	Name string
	// Path is the domain's directory under the powercap root.
	Path string
	// MaxUJ is max_energy_range_uj: the counter wraps to 0 past it.
	MaxUJ uint64
}

// RAPL reads the package and DRAM energy counters of the powercap sysfs
// (/sys/class/powercap/intel-rapl:*, and intel-rapl:*:* for sub-domains;
// AMD exposes the same files). Sub-domains such as core are inside their
// package's count and are skipped, so nothing is counted twice.
type RAPL struct {
	Domains []RAPLDomain
}

// OpenRAPL finds the readable package and DRAM domains under root
// (normally /sys/class/powercap). It fails with the reason when there are
// none, or when energy_uj is not readable (recent kernels restrict it to
// root: see docs/energy.md), so the caller can fall back to a model.
func OpenRAPL(root string) (*RAPL, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "intel-rapl:*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	r := &RAPL{}
	var firstErr error
	for _, d := range dirs {
		nameB, err := os.ReadFile(filepath.Join(d, "name"))
		if err != nil {
			continue
		}
		name := strings.TrimSpace(string(nameB))
		if !strings.HasPrefix(name, "package") && name != "dram" {
			continue
		}
		max, err := readUint(filepath.Join(d, "max_energy_range_uj"))
		if err == nil {
			_, err = readUint(filepath.Join(d, "energy_uj"))
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.Domains = append(r.Domains, RAPLDomain{Name: name, Path: d, MaxUJ: max})
	}
	if len(r.Domains) == 0 {
		if firstErr != nil {
			return nil, fmt.Errorf("rapl: %w", firstErr)
		}
		return nil, fmt.Errorf("rapl: no package or dram domain under %s (no RAPL on this machine, or not exposed to this container)", root)
	}
	return r, nil
}

func readUint(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return 0, fmt.Errorf("%s is not readable by this user (the kernel restricts RAPL counters; run as root or relax the file mode): %w", path, err)
		}
		return 0, err
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// Sample is the counters of every domain at one time.
type Sample []uint64

// Read samples every domain's counter.
func (r *RAPL) Read() (Sample, error) {
	s := make(Sample, len(r.Domains))
	for i, d := range r.Domains {
		v, err := readUint(filepath.Join(d.Path, "energy_uj"))
		if err != nil {
			return nil, err
		}
		s[i] = v
	}
	return s, nil
}

// Joules is the energy between two samples, all domains together. A
// counter that went down wrapped around at its max_energy_range_uj (the
// counters wrap every few minutes to hours; sample more often than that).
func (r *RAPL) Joules(before, after Sample) float64 {
	var uj uint64
	for i, d := range r.Domains {
		if i >= len(before) || i >= len(after) {
			break
		}
		if after[i] >= before[i] {
			uj += after[i] - before[i]
		} else {
			uj += d.MaxUJ - before[i] + after[i]
		}
	}
	return float64(uj) / 1e6
}

// wattsByModel gives a CPU family's power per logical processor at full
// load: the TDP of a typical SKU of the family over its hardware threads
// (e.g. EPYC 225 W / 128, Ryzen 7 5800X 65 W / 16, Core i7-9700 65 W / 8),
// matched on the model name of /proc/cpuinfo, most specific first. Per
// thread rather than per package, because a virtual machine lists only
// its own vCPUs: dividing a 64-core chip's TDP by two vCPUs would charge the
// worker for the whole chip. Like CodeCarbon's table it is a rough guide.
var wattsByModel = []struct {
	match string
	watts float64
}{
	{"EPYC", 1.8}, {"Xeon(R) Platinum", 3.7}, {"Xeon(R) Gold", 3.8}, {"Xeon(R) Silver", 4.3}, {"Xeon", 5.0},
	{"Threadripper", 4.4}, {"Ryzen 9", 4.4}, {"Ryzen 7", 4.1}, {"Ryzen 5", 5.4}, {"Ryzen 3", 8.1},
	{"Core(TM) i9", 6.3}, {"Core(TM) i7", 8.1}, {"Core(TM) i5", 5.4}, {"Core(TM) i3", 7.5},
	{"Core(TM) Ultra", 2.0}, {"Apple M", 2.5}, {"Neoverse", 2.3}, {"Cortex-A", 2.5},
}

// CPUInfo is what /proc/cpuinfo says of the processor.
type CPUInfo struct {
	Model string
	// Cores is the number of logical processors listed.
	Cores int
}

// ReadCPUInfo parses a /proc/cpuinfo file.
func ReadCPUInfo(path string) (CPUInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return CPUInfo{}, err
	}
	defer f.Close()
	var ci CPUInfo
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			ci.Cores++
		case "model name", "Model":
			if ci.Model == "" {
				ci.Model = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return ci, err
	}
	if ci.Cores == 0 {
		return ci, fmt.Errorf("%s lists no processor", path)
	}
	return ci, nil
}

// WattsPerCore is the model family's power per logical processor, and
// whether the model was in the table.
func (ci CPUInfo) WattsPerCore() (float64, bool) {
	for _, e := range wattsByModel {
		if strings.Contains(ci.Model, e.match) {
			return e.watts, true
		}
	}
	return 0, false
}

// userHZ is the unit of /proc/stat's CPU times (fixed at 100 by the kernel's
// user-space ABI).
const userHZ = 100

// MachineCPUTime reads the busy CPU time of the whole machine, all CPUs,
// from a /proc/stat file: user, nice, system, irq, softirq and steal (idle
// and iowait are not work).
func MachineCPUTime(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 9 || fields[0] != "cpu" {
			continue
		}
		var busy uint64
		for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
			v, err := strconv.ParseUint(fields[i], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: cpu field %d: %w", path, i, err)
			}
			busy += v
		}
		return float64(busy) / userHZ, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s has no aggregate cpu line", path)
}

// Attribute gives the worker its share of the machine's measured energy:
// joules × the worker's CPU seconds over the machine's busy CPU seconds in
// the same interval (at most all of it).
func Attribute(joules, workerCPU, machineCPU float64) float64 {
	if machineCPU <= 0 || workerCPU <= 0 {
		return 0
	}
	return joules * min(workerCPU/machineCPU, 1)
}
