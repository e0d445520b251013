package taskgen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileNames returns the file WriteDir writes for each task: NNN-name.sl,
// numbered from 1 and zero-padded so that name order is task order.
func FileNames(tasks []Task) []string {
	width := max(3, len(strconv.Itoa(len(tasks))))
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = fmt.Sprintf("%0*d-%s.sl", width, i+1, t.Name)
	}
	return out
}

// FamilyOf reads the family back from a file name FileNames wrote
// (NNN-family-hash.sl, hash 8 hex digits), for tools that group tasks by
// kind. ok is false for a name of another form.
func FamilyOf(file string) (family string, ok bool) {
	stem, ok := strings.CutSuffix(file, ".sl")
	num, rest, found := strings.Cut(stem, "-")
	if !ok || !found || num == "" || strings.Trim(num, "0123456789") != "" {
		return "", false
	}
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 || len(rest)-i-1 != 8 || strings.Trim(rest[i+1:], "0123456789abcdef") != "" {
		return "", false
	}
	return rest[:i], true
}

// WriteDir writes tasks into dir, creating it if needed. It never
// overwrites: if any of the files exists nothing is written, so a node's
// task set is not silently mixed with another seed's.
func WriteDir(dir string, tasks []Task) error {
	names := FileNames(tasks)
	for i, t := range tasks {
		if t.Name == "" || strings.ContainsAny(t.Name, `/\`) || t.Name == "." || t.Name == ".." {
			return fmt.Errorf("taskgen: task %d has an invalid name %q", i, t.Name)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		_, err := os.Lstat(filepath.Join(dir, n))
		if err == nil {
			return fmt.Errorf("taskgen: %s already exists", filepath.Join(dir, n))
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for i, n := range names {
		// O_EXCL still guards against a file created since the check.
		f, err := os.OpenFile(filepath.Join(dir, n), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		_, err = f.Write(tasks[i].Spec)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
