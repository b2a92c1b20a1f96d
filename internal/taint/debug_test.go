package taint

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestDebugDir(t *testing.T) {
	dir := os.Getenv("TAINT_DIR")
	if dir == "" {
		t.Skip("set TAINT_DIR")
	}
	res, err := Analyze(context.Background(), loadDir(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Flows {
		fmt.Printf("%s:%d:%d %s origin=%d %s\n", f.Path, f.Line, f.Col, f.Class, f.Origin, f.Sink)
		for _, s := range f.Trace {
			fmt.Printf("    %s:%d:%d %s\n", s.Path, s.Line, s.Column, s.Message)
		}
	}
	fmt.Println("rounds", res.Rounds, "routes", len(res.Routes), len(res.ClassRoutes))
}
