package main

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Every header carries the same time so that the same inputs give the same layer digest, run after run.
var epoch = time.Unix(0, 0).UTC()

// layerWriter writes one layer as a gzip'd tar, creating parent directories (root-owned, 0755) for targets
// whose parents no entry named.
type layerWriter struct {
	tw   *tar.Writer
	dirs map[string]bool
}

// writeLayerFile writes the layer to a gzip'd tar file. gzip is done once here, at the fastest level: the
// archive is imported on this machine, so bytes on disk matter less than the build time of a 500 MB image.
func writeLayerFile(l Layer, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		return err
	}
	lw := &layerWriter{tw: tar.NewWriter(zw), dirs: map[string]bool{}}
	for _, e := range l.Entries {
		if err := lw.add(e); err != nil {
			return fmt.Errorf("%s: %w", e.Target, err)
		}
	}
	if err := lw.tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func (w *layerWriter) add(e Entry) error {
	if err := w.parents(e.Target); err != nil {
		return err
	}
	switch {
	case e.Dir:
		return w.dir(e.Target, modeOr(e.Mode, 0o755), e.UID, e.GID)
	case e.Symlink != "":
		return w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: rel(e.Target), Linkname: e.Symlink, Mode: 0o777}, e.UID, e.GID)
	case e.Content != nil:
		return w.file(e.Target, strings.NewReader(*e.Content), int64(len(*e.Content)), modeOr(e.Mode, 0o644), e.UID, e.GID)
	default:
		return w.source(e)
	}
}

// source copies a host path. A file given by name is followed through symlinks (a shared library named by its
// soname is usually one); inside a directory, symlinks stay symlinks, as node_modules/.bin expects.
func (w *layerWriter) source(e Entry) error {
	info, err := os.Stat(e.Source)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return w.hostFile(e.Source, e.Target, info, e.Mode, e.UID, e.GID)
	}
	return filepath.WalkDir(e.Source, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		relPath, err := filepath.Rel(e.Source, p)
		if err != nil {
			return err
		}
		target := path.Join(e.Target, filepath.ToSlash(relPath))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			mode := int64(tarMode(info.Mode()))
			if relPath == "." && e.Mode != nil {
				mode = *e.Mode
			}
			return w.dir(target, mode, e.UID, e.GID)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: rel(target), Linkname: link, Mode: 0o777}, e.UID, e.GID)
		case d.Type().IsRegular():
			return w.hostFile(p, target, info, nil, e.UID, e.GID)
		default:
			return fmt.Errorf("%s is neither a file, a directory nor a symlink", p)
		}
	})
}

func (w *layerWriter) hostFile(src, target string, info fs.FileInfo, mode *int64, uid, gid int) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return w.file(target, f, info.Size(), modeOr(mode, tarMode(info.Mode())), uid, gid)
}

func (w *layerWriter) file(target string, r io.Reader, size, mode int64, uid, gid int) error {
	if err := w.header(&tar.Header{Typeflag: tar.TypeReg, Name: rel(target), Size: size, Mode: mode}, uid, gid); err != nil {
		return err
	}
	n, err := io.Copy(w.tw, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("changed while being read (%d of %d bytes)", n, size)
	}
	return nil
}

func (w *layerWriter) dir(target string, mode int64, uid, gid int) error {
	w.dirs[target] = true
	return w.header(&tar.Header{Typeflag: tar.TypeDir, Name: rel(target) + "/", Mode: mode}, uid, gid)
}

func (w *layerWriter) parents(target string) error {
	var missing []string
	for p := path.Dir(target); p != "/" && !w.dirs[p]; p = path.Dir(p) {
		missing = append(missing, p)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := w.dir(missing[i], 0o755, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

func (w *layerWriter) header(h *tar.Header, uid, gid int) error {
	h.Uid, h.Gid = uid, gid
	h.ModTime = epoch
	h.Format = tar.FormatPAX
	return w.tw.WriteHeader(h)
}

func rel(target string) string { return strings.TrimPrefix(target, "/") }

func modeOr(mode *int64, fallback int64) int64 {
	if mode != nil {
		return *mode
	}
	return fallback
}

// tarMode keeps permission, setuid/setgid and sticky bits in the tar encoding (c_ISUID etc.).
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}
