package lsp

import "regexp"

// exportDeclRe finds `export [async] function NAME` and `export const NAME` declarations.
var exportDeclRe = regexp.MustCompile(`(?m)^[ \t]*export[ \t]+(?:async[ \t]+)?(?:function\*?|const|let|var)[ \t]+([A-Za-z_$][\w$]*)`)
