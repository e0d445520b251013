// Command h3lix-worker runs an H3LIX worker: a personal inference engine that
// solves tasks locally and shares what it learns with the network.
package main

import (
	"os"

	"github.com/h3lix/h3lix/cmd/h3lix-worker/cmd"
)

func main() {
	if err := cmd.NewRootCmd().Execute(); err != nil {
		os.Exit(1)
	}
}
