package devserver

import "github.com/medusa-ls/medusa-ls/project"

// warnLinkedDirs says, for each symbolic link to a directory under src/, that nothing in it is
// loaded or watched (the rule is project/links.go: Medusa's loaders do not enter them either).
func (s *Supervisor) warnLinkedDirs() {
	for _, l := range project.Links(s.root) {
		if l.Dir {
			s.logf("warn: %s", l.Warning(s.root))
		}
	}
}
