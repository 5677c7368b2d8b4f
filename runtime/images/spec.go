package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// Spec is the whole input: where to write, under which names, which layers and which config.
type Spec struct {
	Output string   `json:"output"`
	Refs   []string `json:"refs"`
	Layers []Layer  `json:"layers"`
	Config Config   `json:"config"`
}

// Layer is one filesystem layer; entries are applied in order, a later entry replacing an earlier one's path.
type Layer struct {
	Entries []Entry `json:"entries"`
}

// Entry puts one thing at Target: a host file or directory (Source), an empty directory (Dir), a symlink
// (Symlink) or a file with inline Content. Mode overrides the host mode of a file or of the directory itself;
// UID/GID own everything the entry adds.
type Entry struct {
	Target  string  `json:"target"`
	Source  string  `json:"source,omitempty"`
	Dir     bool    `json:"dir,omitempty"`
	Symlink string  `json:"symlink,omitempty"`
	Content *string `json:"content,omitempty"`
	Mode    *int64  `json:"mode,omitempty"`
	UID     int     `json:"uid,omitempty"`
	GID     int     `json:"gid,omitempty"`
}

// Config is the part of the OCI image config a runtime reads.
type Config struct {
	Entrypoint   []string          `json:"entrypoint,omitempty"`
	Cmd          []string          `json:"cmd,omitempty"`
	Env          []string          `json:"env,omitempty"`
	User         string            `json:"user,omitempty"`
	WorkingDir   string            `json:"workingDir,omitempty"`
	ExposedPorts []string          `json:"exposedPorts,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Architecture string            `json:"architecture,omitempty"`
}

func parseSpec(raw []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	if s.Output == "" {
		return nil, errors.New("output is required")
	}
	if len(s.Refs) == 0 {
		return nil, errors.New("refs must name the image at least once")
	}
	if len(s.Layers) == 0 {
		return nil, errors.New("layers must hold at least one layer")
	}
	for li, l := range s.Layers {
		for ei, e := range l.Entries {
			if err := e.validate(); err != nil {
				return nil, fmt.Errorf("layers[%d].entries[%d]: %w", li, ei, err)
			}
		}
	}
	return &s, nil
}

func (e Entry) validate() error {
	if !strings.HasPrefix(e.Target, "/") || path.Clean(e.Target) != e.Target || e.Target == "/" {
		return fmt.Errorf("target %q must be a clean absolute path below /", e.Target)
	}
	kinds := 0
	for _, set := range []bool{e.Source != "", e.Dir, e.Symlink != "", e.Content != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return fmt.Errorf("target %q: exactly one of source, dir, symlink, content must be given", e.Target)
	}
	if e.Mode != nil && (*e.Mode < 0 || *e.Mode > 0o7777) {
		return fmt.Errorf("target %q: mode %o is out of range", e.Target, *e.Mode)
	}
	return nil
}
