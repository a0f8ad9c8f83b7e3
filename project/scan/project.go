package scan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/medusa-ls/medusa-ls/diag"
)

// File is a resource file of a project.
type File struct {
	Path string // absolute, under the root as given
	Rel  string // slash-separated, relative to the root
	Kind Kind
}

// Read returns the file's content.
func (f File) Read() ([]byte, error) { return os.ReadFile(f.Path) }

// projectDirs are the folders Project walks, in the order it lists them.
var projectDirs = []string{APIDir, SubscribersDir, JobsDir, WorkflowsDir, ModulesDir, LinksDir}

// Project lists the resource files of the project at root (those of a Kind), folder by folder:
// src/api, src/subscribers, src/jobs, src/workflows, src/modules, src/links, each in lexical
// order. As Medusa's loaders (readDirRecursive) it does not enter links to folders, and it lists
// links to files like the files.
func Project(root string) []File {
	var out []File
	for _, dir := range projectDirs {
		_ = filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if n := d.Name(); n == "node_modules" || strings.HasPrefix(n, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			rel := diag.RelPath(root, p)
			if kind := KindOf(rel); kind != Other {
				out = append(out, File{Path: p, Rel: rel, Kind: kind})
			}
			return nil
		})
	}
	return out
}
