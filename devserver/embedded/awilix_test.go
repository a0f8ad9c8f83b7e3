package embedded

import "testing"

// TestAwilixResolvers: @medusajs/framework/awilix is awilix itself, and the container that
// routes and loaders receive resolves its registrations as Medusa's awilix container does.
func TestAwilixResolvers(t *testing.T) {
	tests := []struct {
		name, register, resolve, want string
	}{
		{"asValue", `scope.register("greeting", asValue("hi"))`, `scope.resolve("greeting")`, `"hi"`},
		{"asValue in an object", `scope.register({ a: asValue(1), b: asValue(2) })`, `scope.resolve("a") + scope.resolve("b")`, `3`},
		{"asFunction transient", `let n = 0; scope.register("next", asFunction(() => ++n))`, `[scope.resolve("next"), scope.resolve("next")]`, `[1,2]`},
		{"asFunction singleton", `let m = 0; scope.register("once", asFunction(() => ++m).singleton())`, `[scope.resolve("once"), scope.resolve("once")]`, `[1,1]`},
		{"asFunction with the cradle", `scope.register("x", asValue(20)); scope.register("plus", asFunction(({ x }) => x + 1))`, `scope.resolve("plus")`, `21`},
		{"asClass with the cradle", `scope.register("rate", asValue(3)); scope.register("svc", asClass(class Svc { constructor({ rate }) { this.rate = rate } total(n) { return n * this.rate } }).setLifetime(Lifetime.SINGLETON))`, `scope.resolve("svc").total(5)`, `15`},
		{"aliasTo", `scope.register({ real: asValue("r"), alias: aliasTo("real") })`, `scope.resolve("alias")`, `"r"`},
		{"resolves core keys through the cradle", `scope.register("lg", asFunction(({ logger }) => typeof logger.info))`, `scope.resolve("lg")`, `"function"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{
				"src/api/aw/route.ts": `import { asValue, asClass, asFunction, aliasTo, Lifetime } from "@medusajs/framework/awilix"
export async function GET(req: any, res: any) {
  const scope = req.scope
  ` + tt.register + `
  res.json({ got: ` + tt.resolve + ` })
}
`,
			})
			if res := f.load(); !res.Success {
				t.Fatalf("load: %+v", res.Errors)
			}
			f.expect("GET", "/aw", "", 200, `{"got":`+tt.want+`}`)
		})
	}
}
