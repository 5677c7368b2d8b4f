// Command image-writer writes a container image as a docker-archive tarball (what `docker save` writes and
// `ctr images import` reads) from a JSON spec: layers assembled from host files, directories, symlinks and inline
// content, plus the image config. The image format, digests and archive layout are go-containerregistry's; this
// tool only turns host paths into layer tars.
//
// Usage: image-writer <spec.json>   (prints a JSON summary on stdout)
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: image-writer <spec.json>")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	spec, err := parseSpec(raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad image spec:", err)
		os.Exit(2)
	}
	summary, err := writeImage(spec)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(summary); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "image-writer:", err)
	os.Exit(1)
}
