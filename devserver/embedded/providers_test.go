package embedded

import (
	"strings"
	"testing"
)

// A provider module of the project's own, listed under a core module's options.providers, is
// loaded by that module in Medusa: it is not "not listed", and a module that is truly missing
// from the config still is. Paths are read as Medusa reads them: "./modules/x" is src/modules/x
// (normalizeImportPathWithSource), as b2b-starter-medusa writes them.
func TestProvidersUnderOptionsCountAsListed(t *testing.T) {
	for _, prefix := range []string{"./src/modules/", "./modules/"} {
		t.Run(prefix, func(t *testing.T) {
			f := newFixture(t, map[string]string{
				"medusa-config.ts": `import { defineConfig } from "@medusajs/framework/utils"
module.exports = defineConfig({
  projectConfig: {},
  modules: [{
    resolve: "@medusajs/medusa/fulfillment",
    options: { providers: [{ resolve: "` + prefix + `my-fulfillment", id: "my-fulfillment" }] },
  }, { resolve: "` + prefix + `brand" }],
})
`,
				"src/modules/my-fulfillment/index.ts": "export default { services: [] }\n",
				"src/modules/brand/index.ts":          "export default { service: class {} }\n",
				"src/modules/stray/index.ts":          "export default { service: class {} }\n",
			})
			res := f.load()
			var warned []string
			for _, p := range res.Problems {
				if strings.Contains(p.Message, "not listed") {
					warned = append(warned, p.File)
				}
			}
			if len(warned) != 1 || !strings.HasSuffix(warned[0], "src/modules/stray/index.ts") {
				t.Fatalf("not-listed warnings on %v; want only the stray module's. problems: %+v", warned, res.Problems)
			}
		})
	}
}
