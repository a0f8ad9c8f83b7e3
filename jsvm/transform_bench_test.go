package jsvm

// The two costs of loading a saved file in the embedded runtime, apart: esbuild's transform
// (TypeScript to CommonJS with a source map) and goja's compile of its output.

import (
	"fmt"
	"testing"

	"github.com/dop251/goja"
)

const benchRoute = `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"

export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const query = req.scope.resolve("query")
  res.json({ message: "hello %d", n: 1 })
}
`

func BenchmarkTransformRoute(b *testing.B) {
	tr := newTransformer(`{"compilerOptions":{"target":"ES2021"}}`, nil)
	for i := 0; b.Loop(); i++ {
		if _, p := tr.transform("/p/src/api/hello/route.ts", fmt.Appendf(nil, benchRoute, i)); len(p) > 0 {
			b.Fatal(p)
		}
	}
}

func BenchmarkCompileRoute(b *testing.B) {
	tr := newTransformer(`{"compilerOptions":{"target":"ES2021"}}`, nil)
	code, _ := tr.transform("/p/src/api/hello/route.ts", fmt.Appendf(nil, benchRoute, 0))
	for b.Loop() {
		if _, err := goja.Compile("/p/src/api/hello/route.ts", "(function(exports, require, module){"+code+"\n})", false); err != nil {
			b.Fatal(err)
		}
	}
}
