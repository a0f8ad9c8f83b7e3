package jsvm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// loadFS provides the synchronous file functions backend code uses for fixtures, templates and
// local files, plus their fs.promises forms. The work is synchronous Go, so the promise forms
// are already settled when they return.
func loadFS(rt *Runtime, m *goja.Object) error {
	vm := rt.vm
	cwd := rt.opts.Root
	abs := func(p string) string {
		p = strings.TrimPrefix(p, "file://")
		if !filepath.IsAbs(p) && cwd != "" {
			p = filepath.Join(cwd, p)
		}
		return p
	}
	pathArg := func(v goja.Value) string {
		if o, ok := v.(*goja.Object); ok {
			if h := o.Get("href"); h != nil && !goja.IsUndefined(h) {
				return abs(h.String())
			}
		}
		return abs(v.String())
	}
	encodingOf := func(opts goja.Value) goja.Value {
		if opts == nil || goja.IsUndefined(opts) || goja.IsNull(opts) {
			return nil
		}
		if goja.IsString(opts) {
			return opts
		}
		if e := opts.ToObject(vm).Get("encoding"); e != nil && !goja.IsUndefined(e) && !goja.IsNull(e) {
			return e
		}
		return nil
	}
	throwFS := func(err error, syscall, p string) {
		code := "EIO"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			code = "ENOENT"
		case errors.Is(err, fs.ErrExist):
			code = "EEXIST"
		case errors.Is(err, fs.ErrPermission):
			code = "EACCES"
		}
		e := vm.NewGoError(err)
		_ = e.Set("code", code)
		_ = e.Set("syscall", syscall)
		_ = e.Set("path", p)
		_ = e.Set("message", code+": "+err.Error())
		panic(e)
	}
	stat := func(st os.FileInfo) *goja.Object {
		o := vm.NewObject()
		mt := vm.ToValue(st.ModTime())
		_ = setAll(o, map[string]any{
			"size": st.Size(), "mode": uint32(st.Mode()), "mtimeMs": st.ModTime().UnixMilli(),
			"mtime": mt, "ctime": mt, "birthtime": mt,
			"isFile":         func() bool { return st.Mode().IsRegular() },
			"isDirectory":    func() bool { return st.IsDir() },
			"isSymbolicLink": func() bool { return st.Mode()&os.ModeSymlink != 0 },
		})
		return o
	}
	readFile := func(p, opts goja.Value) goja.Value {
		path := pathArg(p)
		b, err := os.ReadFile(path)
		if err != nil {
			throwFS(err, "open", path)
		}
		if enc := encodingOf(opts); enc != nil {
			return buffer.EncodeBytes(vm, b, enc)
		}
		return buffer.WrapBytes(vm, b)
	}
	dataBytes := func(data, opts goja.Value) []byte {
		if goja.IsString(data) {
			if enc := encodingOf(opts); enc != nil {
				return buffer.DecodeBytes(vm, data, enc)
			}
			return []byte(data.String())
		}
		return buffer.Bytes(vm, data)
	}
	writeFile := func(p, data, opts goja.Value) {
		path := pathArg(p)
		if err := os.WriteFile(path, dataBytes(data, opts), 0o644); err != nil {
			throwFS(err, "open", path)
		}
	}
	appendFile := func(p, data, opts goja.Value) {
		path := pathArg(p)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write(dataBytes(data, opts))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			throwFS(err, "open", path)
		}
	}
	mkdir := func(p, opts goja.Value) {
		path := pathArg(p)
		recursive := false
		if o, ok := opts.(*goja.Object); ok {
			recursive = o.Get("recursive") != nil && o.Get("recursive").ToBoolean()
		}
		var err error
		if recursive {
			err = os.MkdirAll(path, 0o755)
		} else {
			err = os.Mkdir(path, 0o755)
		}
		if err != nil {
			throwFS(err, "mkdir", path)
		}
	}
	readdir := func(p goja.Value) []string {
		path := pathArg(p)
		entries, err := os.ReadDir(path)
		if err != nil {
			throwFS(err, "scandir", path)
		}
		out := make([]string, len(entries))
		for i, e := range entries {
			out[i] = e.Name()
		}
		return out
	}
	statSync := func(p goja.Value) *goja.Object {
		path := pathArg(p)
		st, err := os.Stat(path)
		if err != nil {
			throwFS(err, "stat", path)
		}
		return stat(st)
	}
	rm := func(p, opts goja.Value) {
		path := pathArg(p)
		var err error
		if o, ok := opts.(*goja.Object); ok && o.Get("recursive") != nil && o.Get("recursive").ToBoolean() {
			err = os.RemoveAll(path)
		} else {
			err = os.Remove(path)
		}
		if err != nil && !(errors.Is(err, fs.ErrNotExist) && isForce(opts)) {
			throwFS(err, "rm", path)
		}
	}
	sync := map[string]any{
		"existsSync":     func(p goja.Value) bool { _, err := os.Stat(pathArg(p)); return err == nil },
		"readFileSync":   readFile,
		"writeFileSync":  writeFile,
		"appendFileSync": appendFile,
		"mkdirSync":      mkdir,
		"readdirSync":    readdir,
		"statSync":       statSync,
		"lstatSync":      statSync,
		"unlinkSync": func(p goja.Value) {
			path := pathArg(p)
			if err := os.Remove(path); err != nil {
				throwFS(err, "unlink", path)
			}
		},
		"rmSync": rm,
		"accessSync": func(p goja.Value) {
			path := pathArg(p)
			if _, err := os.Stat(path); err != nil {
				throwFS(err, "access", path)
			}
		},
		"constants": map[string]int{"F_OK": 0, "R_OK": 4, "W_OK": 2, "X_OK": 1},
	}
	f := vm.NewObject()
	if err := setAll(f, sync); err != nil {
		return err
	}
	// fs.promises: the same functions, returning settled promises.
	promises := vm.NewObject()
	for name, syncName := range map[string]string{"readFile": "readFileSync", "writeFile": "writeFileSync", "appendFile": "appendFileSync",
		"mkdir": "mkdirSync", "readdir": "readdirSync", "stat": "statSync", "lstat": "lstatSync", "unlink": "unlinkSync", "rm": "rmSync", "access": "accessSync"} {
		fn, _ := goja.AssertFunction(f.Get(syncName))
		_ = promises.Set(name, func(call goja.FunctionCall) goja.Value {
			p, resolve, reject := vm.NewPromise()
			v, err := fn(goja.Undefined(), call.Arguments...)
			if err != nil {
				var ex *goja.Exception
				if errors.As(err, &ex) {
					_ = reject(ex.Value())
				} else {
					rt.Throw(err)
				}
			} else {
				_ = resolve(v)
			}
			return vm.ToValue(p)
		})
	}
	_ = f.Set("promises", rt.Guard("fs.promises", promises, "; run with --runtime node"))
	return m.Set("exports", rt.Guard("fs", f, "; run with --runtime node"))
}

func isForce(opts goja.Value) bool {
	o, ok := opts.(*goja.Object)
	return ok && o.Get("force") != nil && o.Get("force").ToBoolean()
}
