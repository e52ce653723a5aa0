package resp

import (
	"math"
	"strconv"
	"strings"

	"github.com/kvnode/kvnode/engine"
)

// Argument parsing helpers shared by the command handlers.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// argInt parses an integer argument as Redis' getLongLongFromObject does.
func argInt(b []byte) (int64, bool) { return engine.ParseInt(b) }

// argFloat parses a double argument as Redis' getDoubleFromObject does:
// no spaces, no NaN; "inf", "+inf", "-inf" accepted.
func argFloat(b []byte) (float64, bool) {
	if len(b) == 0 || b[0] == ' ' || b[len(b)-1] == ' ' {
		return 0, false
	}
	s := string(b)
	switch strings.ToLower(s) {
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		// strtod accepts overflow to ±inf with ERANGE, which Redis refuses
		return 0, false
	}
	return f, true
}

// eq reports whether arg equals the lower-case word, ignoring case.
func eq(arg []byte, word string) bool {
	if len(arg) != len(word) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// replyErr writes the Redis text for an engine error.
func (c *Client) replyErr(err error) {
	if t := engineError(err); t != "" {
		c.w.Error(t)
		return
	}
	c.srv.log.Error("command failed", "client", c.id, "err", err)
	c.w.Error("ERR " + err.Error())
}

// intReply answers an integer, or err as Redis would.
func (c *Client) intReply(n int64, err error) {
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.Int(n)
}
