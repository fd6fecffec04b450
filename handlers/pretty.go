package handlers

import (
	"encoding/json"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate/views"
)

// boundedJSON is Echo's JSON serializer with pretty printing (?pretty) bounded: an indented
// answer stops at views.PrettyLimit with a note of how much it leaves out, since indenting
// a deep value (requests stored before intake refused them) could multiply its size by its
// depth. The same URL without ?pretty gives the whole answer.
type boundedJSON struct{ echo.DefaultJSONSerializer }

// Serialize writes v as JSON, indented and bounded when indent is set.
func (boundedJSON) Serialize(c echo.Context, v any, indent string) error {
	if indent == "" {
		return echo.DefaultJSONSerializer{}.Serialize(c, v, "")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	out, more := views.IndentJSON(make([]byte, 0, min(2*len(raw), views.PrettyLimit)+128), raw, views.PrettyLimit)
	if more > 0 {
		out = append(out, "\n… truncated, "+strconv.Itoa(more)+" bytes more; without ?pretty the answer is whole"...)
	}
	_, err = c.Response().Write(append(out, '\n'))
	return err
}
