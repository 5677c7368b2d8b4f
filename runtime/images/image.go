package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Summary is what the tool prints: enough for a caller to log and to check what it imported.
type Summary struct {
	Output string   `json:"output"`
	Refs   []string `json:"refs"`
	Digest string   `json:"digest"`
	Config string   `json:"configDigest"`
	Bytes  int64    `json:"bytes"`
}

func writeImage(s *Spec) (*Summary, error) {
	if err := os.MkdirAll(filepath.Dir(s.Output), 0o755); err != nil {
		return nil, err
	}
	// Layers and the archive are written beside the output and renamed into place, so an interrupted run never
	// leaves something that looks like a finished archive.
	work, err := os.MkdirTemp(filepath.Dir(s.Output), ".image-writer-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	img := empty.Image
	for i, l := range s.Layers {
		file := filepath.Join(work, fmt.Sprintf("layer-%d.tar.gz", i))
		if err := writeLayerFile(l, file); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		layer, err := tarball.LayerFromFile(file)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			return nil, err
		}
	}
	cfg, err := imageConfig(img, s.Config)
	if err != nil {
		return nil, err
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, err
	}

	refs := map[name.Reference]v1.Image{}
	for _, r := range s.Refs {
		// A ref without a tag would be imported as :latest, which the chart and manifests never name.
		tag, err := name.NewTag(r)
		if err != nil || !strings.Contains(r[strings.LastIndex(r, "/")+1:], ":") {
			return nil, fmt.Errorf("ref %q is not [registry/]repository:tag (%v)", r, err)
		}
		refs[tag] = img
	}
	tmp := filepath.Join(work, "image.tar")
	if err := tarball.MultiRefWriteToFile(tmp, refs); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, s.Output); err != nil {
		return nil, err
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	configDigest, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(s.Output)
	if err != nil {
		return nil, err
	}
	return &Summary{Output: s.Output, Refs: s.Refs, Digest: digest.String(), Config: configDigest.String(), Bytes: info.Size()}, nil
}

func imageConfig(img v1.Image, c Config) (*v1.ConfigFile, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS = "linux"
	cfg.Architecture = c.Architecture
	if cfg.Architecture == "" {
		cfg.Architecture = runtime.GOARCH
	}
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = c.Entrypoint
	cfg.Config.Cmd = c.Cmd
	cfg.Config.Env = c.Env
	cfg.Config.User = c.User
	cfg.Config.WorkingDir = c.WorkingDir
	cfg.Config.Labels = c.Labels
	if len(c.ExposedPorts) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range c.ExposedPorts {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.Config.ExposedPorts[p] = struct{}{}
		}
	}
	return cfg, nil
}
