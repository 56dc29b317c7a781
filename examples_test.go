package fazhi_test

// Examples are true: every example that openapi.yaml gives — of a parameter or
// header, of a request or response body (`example` and each of `examples`), of
// a schema and of a property inside one — validates against its schema, with
// formats checked (uuid, date, date-time, uri, uri-reference). Swagger UI shows
// these examples, the frontend and the provincial teams copy them, and the
// server's tests send them: one that the contract itself refuses misleads all
// of them. A failure names the example by its JSON pointer into the spec and
// the place inside the example that is wrong.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	fazhi "github.com/fazhi/fazhi"
)

// exampleFailure is one example that its schema refuses.
type exampleFailure struct {
	Path    string // JSON pointer of the example in openapi.yaml
	Problem string // every violation, each with its place in the example
}

func (f exampleFailure) String() string { return f.Path + ": " + f.Problem }

// exampleChecker walks a loaded document and validates each example it finds.
type exampleChecker struct {
	failures []exampleFailure
	checked  int
}

var defineFormats sync.Once

// loadSpec parses openapi.yaml as kin-openapi reads it, and turns on the
// string formats the contract uses.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	defineFormats.Do(func() {
		// kin-openapi knows date and date-time; ids are UUIDv7 (RFC 9562).
		openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
		openapi3.DefineStringFormatCallback("uri", func(s string) error {
			u, err := url.Parse(s)
			if err != nil {
				return err
			}
			if !u.IsAbs() {
				return fmt.Errorf("%q is not an absolute URI", s)
			}
			return nil
		})
		openapi3.DefineStringFormatCallback("uri-reference", func(s string) error {
			_, err := url.Parse(s)
			return err
		})
	})
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(fazhi.OpenAPI)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v", err)
	}
	return doc
}

// pointer joins segments into a JSON pointer (RFC 6901) into the spec.
func pointer(base string, segments ...string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validate checks one example against its schema. The example goes through
// JSON first, so that it is exactly what a client would send or receive.
func (c *exampleChecker) validate(path string, schema *openapi3.SchemaRef, example any, mode openapi3.SchemaValidationOption) {
	c.checked++
	if schema == nil || schema.Value == nil {
		c.failures = append(c.failures, exampleFailure{path, "an example without a schema to hold it to"})
		return
	}
	raw, err := json.Marshal(example)
	if err != nil {
		c.failures = append(c.failures, exampleFailure{path, "not JSON: " + err.Error()})
		return
	}
	var value any
	if err := json.Unmarshal(raw, &value); err != nil {
		c.failures = append(c.failures, exampleFailure{path, "not JSON: " + err.Error()})
		return
	}
	opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.EnableFormatValidation()}
	if mode != nil {
		opts = append(opts, mode)
	}
	if err := schema.Value.VisitJSON(value, opts...); err != nil {
		c.failures = append(c.failures, exampleFailure{path, describe(err)})
	}
}

// describe lists every violation in err, each at its place in the example.
func describe(err error) string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		if errors.As(err, &multi) && !isSchemaError(err) {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if !errors.As(err, &se) {
			out = append(out, err.Error())
			return
		}
		at := "/" + strings.Join(se.JSONPointer(), "/")
		reason := se.Reason
		if reason == "" {
			reason = fmt.Sprintf("does not match %q", se.SchemaField)
		}
		if se.Origin != nil {
			reason = se.Origin.Error()
		}
		out = append(out, fmt.Sprintf("at %s: %s", at, reason))
	}
	walk(err)
	slices.Sort(out)
	return strings.Join(slices.Compact(out), "; ")
}

func isSchemaError(err error) bool {
	_, ok := err.(*openapi3.SchemaError)
	return ok
}

// schema validates the schema's own example and those of every schema written
// inside it (properties, items, additionalProperties, allOf/anyOf/oneOf, not).
// A $ref is checked where it is defined, under components.
func (c *exampleChecker) schema(path string, ref *openapi3.SchemaRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	s := ref.Value
	if s.Example != nil {
		c.validate(pointer(path, "example"), ref, s.Example, nil)
	}
	for _, name := range sortedKeys(s.Properties) {
		c.schema(pointer(path, "properties", name), s.Properties[name])
	}
	c.schema(pointer(path, "items"), s.Items)
	c.schema(pointer(path, "additionalProperties"), s.AdditionalProperties.Schema)
	c.schema(pointer(path, "not"), s.Not)
	for _, list := range []struct {
		key  string
		refs openapi3.SchemaRefs
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		for i, sub := range list.refs {
			c.schema(pointer(path, list.key, fmt.Sprint(i)), sub)
		}
	}
}

// examples validates each of a map of named examples against schema.
func (c *exampleChecker) examples(path string, schema *openapi3.SchemaRef, examples openapi3.Examples, mode openapi3.SchemaValidationOption) {
	for _, name := range sortedKeys(examples) {
		ex := examples[name]
		if ex == nil || ex.Value == nil || ex.Value.ExternalValue != "" {
			continue
		}
		c.validate(pointer(path, "examples", name, "value"), schema, ex.Value.Value, mode)
	}
}

func (c *exampleChecker) content(path string, content openapi3.Content, mode openapi3.SchemaValidationOption) {
	for _, mt := range sortedKeys(content) {
		media := content[mt]
		if media == nil {
			continue
		}
		at := pointer(path, mt)
		if media.Example != nil {
			c.validate(pointer(at, "example"), media.Schema, media.Example, mode)
		}
		c.examples(at, media.Schema, media.Examples, mode)
		c.schema(pointer(at, "schema"), media.Schema)
	}
}

func (c *exampleChecker) parameter(path string, ref *openapi3.ParameterRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	p := ref.Value
	if p.Example != nil {
		c.validate(pointer(path, "example"), p.Schema, p.Example, openapi3.VisitAsRequest())
	}
	c.examples(path, p.Schema, p.Examples, openapi3.VisitAsRequest())
	c.schema(pointer(path, "schema"), p.Schema)
	c.content(pointer(path, "content"), p.Content, openapi3.VisitAsRequest())
}

func (c *exampleChecker) header(path string, ref *openapi3.HeaderRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	h := ref.Value
	if h.Example != nil {
		c.validate(pointer(path, "example"), h.Schema, h.Example, openapi3.VisitAsResponse())
	}
	c.examples(path, h.Schema, h.Examples, openapi3.VisitAsResponse())
	c.schema(pointer(path, "schema"), h.Schema)
	c.content(pointer(path, "content"), h.Content, openapi3.VisitAsResponse())
}

func (c *exampleChecker) requestBody(path string, ref *openapi3.RequestBodyRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	c.content(pointer(path, "content"), ref.Value.Content, openapi3.VisitAsRequest())
}

func (c *exampleChecker) response(path string, ref *openapi3.ResponseRef) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	for _, name := range sortedKeys(ref.Value.Headers) {
		c.header(pointer(path, "headers", name), ref.Value.Headers[name])
	}
	c.content(pointer(path, "content"), ref.Value.Content, openapi3.VisitAsResponse())
}

// checkExamples validates every example of doc.
func checkExamples(doc *openapi3.T) *exampleChecker {
	c := &exampleChecker{}
	if comp := doc.Components; comp != nil {
		for _, name := range sortedKeys(comp.Schemas) {
			c.schema(pointer("#/components/schemas", name), comp.Schemas[name])
		}
		for _, name := range sortedKeys(comp.Parameters) {
			c.parameter(pointer("#/components/parameters", name), comp.Parameters[name])
		}
		for _, name := range sortedKeys(comp.Headers) {
			c.header(pointer("#/components/headers", name), comp.Headers[name])
		}
		for _, name := range sortedKeys(comp.RequestBodies) {
			c.requestBody(pointer("#/components/requestBodies", name), comp.RequestBodies[name])
		}
		for _, name := range sortedKeys(comp.Responses) {
			c.response(pointer("#/components/responses", name), comp.Responses[name])
		}
	}
	paths := doc.Paths.Map()
	for _, p := range sortedKeys(paths) {
		item := paths[p]
		at := pointer("#/paths", p)
		for i, param := range item.Parameters {
			c.parameter(pointer(at, "parameters", fmt.Sprint(i)), param)
		}
		ops := item.Operations()
		for _, method := range sortedKeys(ops) {
			op := ops[method]
			opAt := pointer(at, strings.ToLower(method))
			for i, param := range op.Parameters {
				c.parameter(pointer(opAt, "parameters", fmt.Sprint(i)), param)
			}
			c.requestBody(pointer(opAt, "requestBody"), op.RequestBody)
			responses := op.Responses.Map()
			for _, status := range sortedKeys(responses) {
				c.response(pointer(opAt, "responses", status), responses[status])
			}
		}
	}
	return c
}

// TestSpecExamplesValidate: every example in openapi.yaml validates against
// its schema.
func TestSpecExamplesValidate(t *testing.T) {
	c := checkExamples(loadSpec(t))
	for _, f := range c.failures {
		t.Errorf("example does not match its schema: %s", f)
	}
	// The spec has hundreds; a walk that found a handful has lost its way.
	if c.checked < 100 {
		t.Errorf("only %d examples found in openapi.yaml: the walk missed some", c.checked)
	}
	t.Logf("%d examples checked, %d refused", c.checked, len(c.failures))
}

// TestSpecExamplesCheckCatchesBadExamples: the check finds a broken example
// wherever an example can be, and names it by its JSON pointer. Each case
// breaks one example in a fresh copy of the spec and expects exactly that
// example to be refused, on top of whatever the spec as it is has.
func TestSpecExamplesCheckCatchesBadExamples(t *testing.T) {
	baseline := map[string]bool{}
	for _, f := range checkExamples(loadSpec(t)).failures {
		baseline[f.Path] = true
	}
	copyMap := func(t *testing.T, v any) map[string]any {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("the example is %T, not an object", v)
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = x
		}
		return out
	}
	media := func(t *testing.T, doc *openapi3.T, path, method string, status string) *openapi3.MediaType {
		t.Helper()
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(strings.ToUpper(method)) == nil {
			t.Fatalf("openapi.yaml has no %s %s", method, path)
		}
		op := item.GetOperation(strings.ToUpper(method))
		if status == "" {
			return op.RequestBody.Value.Content.Get("application/json")
		}
		return op.Responses.Value(status).Value.Content.Get("application/json")
	}
	cases := []struct {
		name   string
		break_ func(t *testing.T, doc *openapi3.T)
		path   string
		says   string // a part of the problem reported
	}{
		{
			name:   "parameter example above the maximum",
			break_: func(t *testing.T, doc *openapi3.T) { doc.Components.Parameters["LimitQuery"].Value.Example = 501 },
			path:   "#/components/parameters/LimitQuery/example",
			says:   "500",
		},
		{
			name: "response example with a wrong type",
			break_: func(t *testing.T, doc *openapi3.T) {
				mt := media(t, doc, "/units/{id}", "get", "200")
				ex := copyMap(t, mt.Example)
				ex["version"] = "one"
				mt.Example = ex
			},
			path: "#/paths/~1units~1{id}/get/responses/200/content/application~1json/example",
			says: "at /version",
		},
		{
			name: "request example with a value outside the enum",
			break_: func(t *testing.T, doc *openapi3.T) {
				mt := media(t, doc, "/units", "post", "")
				ex := copyMap(t, mt.Example)
				ex["kind"] = "planet"
				mt.Example = ex
			},
			path: "#/paths/~1units/post/requestBody/content/application~1json/example",
			says: "at /kind",
		},
		{
			name: "named example (examples) with an unknown property",
			break_: func(t *testing.T, doc *openapi3.T) {
				mt := media(t, doc, "/units", "post", "")
				ex := copyMap(t, mt.Example)
				ex["colour"] = "red"
				mt.Examples = openapi3.Examples{"extra": {Value: &openapi3.Example{Value: ex}}}
			},
			path: "#/paths/~1units/post/requestBody/content/application~1json/examples/extra/value",
			says: "colour",
		},
		{
			name:   "schema example: a decimal as a JSON number",
			break_: func(t *testing.T, doc *openapi3.T) { doc.Components.Schemas["Decimal"].Value.Example = 58.1 },
			path:   "#/components/schemas/Decimal/example",
			says:   "string",
		},
		{
			name: "property example below the minimum",
			break_: func(t *testing.T, doc *openapi3.T) {
				doc.Components.Schemas["Unit"].Value.Properties["level"].Value.Example = 0
			},
			path: "#/components/schemas/Unit/properties/level/example",
			says: "1",
		},
		{
			name:   "format: an id that is not a UUID",
			break_: func(t *testing.T, doc *openapi3.T) { doc.Components.Parameters["UnitIdPath"].Value.Example = "unit-10" },
			path:   "#/components/parameters/UnitIdPath/example",
			says:   `format "uuid"`,
		},
		{
			name: "format: a date-time that is not RFC 3339",
			break_: func(t *testing.T, doc *openapi3.T) {
				doc.Components.Schemas["Timestamp"].Value.Example = "2022-03-31 08:00"
			},
			path: "#/components/schemas/Timestamp/example",
			says: "date-time",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadSpec(t)
			tc.break_(t, doc)
			var found []exampleFailure
			for _, f := range checkExamples(doc).failures {
				if !baseline[f.Path] {
					found = append(found, f)
				}
			}
			if len(found) != 1 || found[0].Path != tc.path {
				t.Fatalf("broke %s; the check reported %v", tc.path, found)
			}
			if !strings.Contains(found[0].Problem, tc.says) {
				t.Errorf("the problem reported, %q, does not mention %q", found[0].Problem, tc.says)
			}
			t.Logf("caught: %s", found[0])
		})
	}
}
