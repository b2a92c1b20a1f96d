//go:build linux

package discover

import (
	"context"
	"strings"
	"syscall"
	"testing"
)

// TestDeepNesting builds directories nested 10,000 deep (with *at system
// calls: the full path is far over PATH_MAX) and checks that the walk stops
// at the depth cap with a diagnostic instead of failing or recursing.
func TestDeepNesting(t *testing.T) {
	root := t.TempDir()
	fd, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if err := syscall.Mkdirat(fd, "d", 0o755); err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		if i == 5 {
			f, err := syscall.Openat(fd, "shallow.py", syscall.O_CREAT|syscall.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			syscall.Write(f, []byte("x = 1\n"))
			syscall.Close(f)
		}
		next, err := syscall.Openat(fd, "d", syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		syscall.Close(fd)
		if err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		fd = next
	}
	syscall.Close(fd)

	res, err := Walk(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || !strings.HasSuffix(res.Files[0].Path, "/shallow.py") {
		t.Fatalf("files: %v", paths(res))
	}
	if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "nested more than 128 levels") {
		t.Fatalf("diagnostics: %v", res.Diagnostics)
	}
}
