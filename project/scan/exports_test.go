package scan

import (
	"fmt"
	"strings"
	"testing"
)

// format renders exports as "line:name[:decl][:literal]" for the tables.
func format(es Exports) string {
	var out []string
	for _, e := range es {
		s := fmt.Sprintf("%d:%s", e.Line, e.Name)
		if e.Decl != "" {
			s += ":" + e.Decl
		}
		if e.Literal {
			s += ":literal"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestExportsOf(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"async function", "export async function GET(req, res) {}\n", "1:GET:function"},
		{"function", "export function POST() {}\n", "1:POST:function"},
		{"generator", "export function* a() {}\nexport function *b() {}\nexport function*c() {}\n", "1:a:function 2:b:function 3:c:function"},
		{"const arrow", "export const GET = async (req, res) => {}\n", "1:GET:const"},
		{"let and var", "export let a = () => 1\nexport var b = function () {}\n", "1:a:let 2:b:var"},
		{"typed const", "export const GET: RouteHandler = async (req, res) => {}\n", "1:GET:const"},
		{"class", "export class GET {}\n", "1:GET:class"},
		{"literals", "export const GET = { a: 1 }\nexport const PUT = \"x\"\nexport let N = -1\nexport const L = [1]\nexport const T = `t`\nexport const O = new Map()\n",
			"1:GET:const:literal 2:PUT:const:literal 3:N:let:literal 4:L:const:literal 5:T:const:literal 6:O:const:literal"},
		{"indented, on the next line", "  export\nconst GET = () => {}\n", "2:GET:const"},
		{"declare is erased", "export declare const GET: any\nexport declare function POST(): void\n", ""},
		{"list", "const handler = () => {}\nexport { handler as GET, other }\n", "2:GET 2:other"},
		{"list over lines", "export {\n  a as GET,\n  // b as POST,\n  c as PUT,\n}\n", "2:GET 4:PUT"},
		{"list from", "export { GET, POST as PATCH } from \"./impl\"\n", "1:GET 1:PATCH"},
		{"type list", "export type { Foo }\nexport { type Bar, GET }\n", "2:GET"},
		{"string name", "export { x as \"GET\" }\n", ""},
		{"default function", "export default async function handler() {}\n", "1:default"},
		{"default expression", "const h = () => {}\nexport default h\n", "2:default"},
		{"default in a list", "const h = () => {}\nexport { h as default }\n", "2:default"},
		{"star", "export * from \"./impl\"\n", "1:*"},
		{"config", "export default async function () {}\nexport const config = { event: \"a\" }\n", "1:default 2:config:const:literal"},
		{"types are not exports", "export type GET = string\nexport interface POST {}\n", ""},
		{"line comment", "// export const GET = () => {}\nexport const POST = () => {}\n", "2:POST:const"},
		{"block comment", "/*\nexport const GET = () => {}\n*/\nexport const POST = () => {}\n", "4:POST:const"},
		{"doc comment", "/**\n * export default function () {}\n */\nexport default function h() {}\n", "4:default"},
		{"template literal", "const doc = `\nexport const GET = () => {}\n`\nexport const POST = () => {}\n", "4:POST:const"},
		{"template substitution", "const doc = `${a ? `\nexport const GET = 1\n` : \"\"}`\nexport function PUT() {}\n", "4:PUT:function"},
		{"string with a comment opener", "const s = \"/*\"\nexport const GET = () => {}\n", "2:GET:const"},
		{"regex with quotes", "const re = /[\"'`]/g\nexport const GET = () => {}\n", "2:GET:const"},
		{"division", "const half = a / 2 / b\nexport const GET = () => {}\n", "2:GET:const"},
		{"BOM", "\uFEFFexport const GET = () => {}\n", "1:GET:const"},
		{"CRLF", "export const GET = () => {}\r\nexport default function h() {}\r\nexport { x as POST }\r\n", "1:GET:const 2:default 3:POST"},
		{"after a statement", "const x = 1; export const GET = () => {}\n", "1:GET:const"},
		{"not an export", "const a = { export: 1 }\nobj.export = 2\nconst myexport = 3\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := format(ExportsOf([]byte(tc.src))); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A route file's handlers are its HTTP-method exports, except those that are certainly not
// functions; an export's offset is that of its name in the source, BOM included.
func TestHandlersAndOffsets(t *testing.T) {
	src := "\uFEFFexport const GET = () => {}\nexport const POST = 1\nexport const getUser = () => {}\nexport { h as DELETE }\n"
	es := ExportsOf([]byte(src))
	if got := format(es.Handlers()); got != "1:GET:const 4:DELETE" {
		t.Fatalf("handlers %q", got)
	}
	for _, e := range es {
		if src[e.Offset:e.Offset+len(e.Name)] != e.Name {
			t.Errorf("%s at %d reads %q", e.Name, e.Offset, src[e.Offset:e.Offset+len(e.Name)])
		}
	}
	if e, ok := es.Named("getUser"); !ok || e.Line != 3 {
		t.Fatalf("Named(getUser) = %+v, %v", e, ok)
	}
	if _, ok := es.Named("default"); ok {
		t.Fatal("no default export")
	}
}

// codeOnly keeps every offset and line break of its input.
func TestCodeOnlyKeepsPositions(t *testing.T) {
	for _, src := range []string{
		"\uFEFFconst a = \"x\" // c\r\n/* b\n */ `t${`u${1}`}v` /re[/]/g\n",
		"unterminated 'string\nexport const A = 1\n",
		"unterminated `template\n",
		"unterminated /* comment\n",
		"a = b / c; d = /e/\n",
	} {
		got := codeOnly([]byte(src))
		if len(got) != len(src) || strings.Count(string(got), "\n") != strings.Count(src, "\n") {
			t.Errorf("%q -> %q", src, got)
		}
	}
	if got := string(codeOnly([]byte("x = 'ab' + `c${d}e` // f\n"))); got != "x = '  ' + ` ${d} `     \n" {
		t.Fatalf("got %q", got)
	}
}
