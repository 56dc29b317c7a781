package server

import (
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// patternMessages say, in words, what each pattern of a request schema or
// parameter of the contract asks for. The validator's own message quotes the
// regular expression, which tells a person filling in a form nothing; a test
// holds this table to every pattern a request can break.
var patternMessages = map[string]string{
	`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`: "must be an id: a UUID in lower case, such as 0190a000-0000-7000-8000-000000000001",
	`^[A-Za-z0-9_-]+$`:                                         "must be the nextCursor of an earlier page, exactly as it was given",
	`^[\x21-\x7E]+$`:                                           "must be printable ASCII characters, without spaces",
	`^[0-9A-Za-z][0-9A-Za-z_.-]*$`:                             "must start with a letter or a digit and hold only letters, digits, '_', '.' and '-'",
	`^\S(.*\S)?$`:                                              "must not be empty, nor start or end with a space",
	`^"[1-9][0-9]{0,17}"$`:                                     `must be an entity tag as the ETag header gives it: the version in double quotes, such as "3"`,
	`^"[0-9]{1,19}"$`:                                          `must be an entity tag as the export's ETag header gives it: digits in double quotes, such as "205"`,
	`^[A-Za-z0-9*,;=. -]*$`:                                    "must be a list of content codings, such as gzip or br;q=1, gzip;q=0.8",
	`^[a-z0-9][a-z0-9._-]*$`:                                   "must start with a lower-case letter or a digit and hold only lower-case letters, digits, '.', '_' and '-'",
	`^[0-9A-Fa-f:.]+/[0-9]{1,3}$`:                              "must be an address range in CIDR form, such as 10.1.0.0/16 or 2001:db8::/32",
	`^[a-z][a-z0-9_]*$`:                                        "must be a record type in lower case, such as indicator_value",
	`^[a-z][A-Za-z0-9]{0,39}$`:                                 "must be a key in camelCase: a lower-case letter, then letters and digits (at most 40), such as noPenalty",
	`^[a-z][A-Za-z0-9]{0,39}:.+$`:                              "must be a column's key, a colon and the value, such as level:市",
	`^[A-Za-z0-9._-]+$`:                                        "must hold only letters, digits, '.', '_' and '-'",
	`^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)?$`:                "must be a field's name, or attributes. and a column's key",
	`^[A-Za-z][A-Za-z0-9.]*$`:                                  "must be an operation of the contract, such as createUnit",
	`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`:                           `must be a decimal number in a string, such as "58.10": at most 15 digits before the point and 6 after`,
	`^[0-9A-Za-z][0-9A-Za-z.()（）-]*$`:                          "must start with a letter or a digit and hold only letters, digits, '.', '-' and brackets, such as 1.2(3)",
	`^(19[0-9]{2}|2[0-9]{3})(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$`: "must be a year (2021), a half (2021-H1), a quarter (2021-Q3) or a month (2021-06)",
	`^[1-9][0-9]{0,3}(\.[1-9][0-9]{0,3}){0,4}$`:                "must be a task number such as 1 or 1.2: up to five parts from 1 to 9999, separated by dots",
	`^(19[0-9]{2}|2[0-9]{3})(-(H[12]|Q[1-4]|0[1-9]|1[0-2]|W(0[1-9]|[1-4][0-9]|5[0-3])))?$`: "must be a year (2022), a half (2022-H1), a quarter (2022-Q3), a month (2022-06) or an ISO week (2022-W05)",
	`^(\S(.*\S)?)?$`: "must not start or end with a space",
	`\S`:             "must not be blank",
}

// formatMessages say what each string format the validator checks asks for.
var formatMessages = map[string]string{
	"date":      "must be a date such as 2021-12-31",
	"date-time": "must be a date and time with its offset, such as 2021-12-31T08:00:00+08:00",
	"byte":      "must be base64 text",
}

// schemaMessage is what a person is told about one schema violation: the
// rule broken, in words, never the contract's regular expression.
func schemaMessage(se *openapi3.SchemaError) string {
	switch se.SchemaField {
	case "pattern":
		if se.Schema != nil {
			if msg, ok := patternMessages[se.Schema.Pattern]; ok {
				return msg
			}
		}
		return "does not have the form the contract gives for it"
	case "required":
		return "required, but missing" // the pointer names the property
	case "format":
		if se.Schema != nil {
			if msg, ok := formatMessages[se.Schema.Format]; ok {
				return msg
			}
			return "is not a valid " + se.Schema.Format
		}
	}
	if se.Reason == "" {
		return se.Error()
	}
	return se.Reason
}

// unknownProperty is the name of the property a violation of
// additionalProperties: false names, if it is one.
func unknownProperty(se *openapi3.SchemaError) (string, bool) {
	// The validator says so only in its reason: property "ids" is unsupported.
	rest, ok := strings.CutPrefix(se.Reason, "property ")
	if !ok || se.SchemaField != "properties" {
		return "", false
	}
	quoted, ok := strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(quoted)
	return name, err == nil
}
