package schedule

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file is a port of cron-parser 4.9.0 (lib/expression.js and lib/date.js), the parser
// that Medusa's scheduler (@medusajs/workflow-engine-inmemory, parseExpression(cron) with the
// default options) uses: it accepts exactly what cron-parser accepts, with its error messages,
// and computes the same next dates. No Go cron library accepts the same language (robfig/cron
// takes "@every" and rejects "5L" and "1#2"; cron-parser does the opposite), so the parser is
// ported rather than approximated. schedule's TestCronMatchesCronParser compares the two on
// the same expressions.

// cronField names the six fields, seconds first (CronExpression.map).
var cronFieldNames = [6]string{"second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek"}

// cronConstraint is CronExpression.constraints: the range of a field and the special
// characters it keeps as strings.
type cronConstraint struct {
	min, max int
	chars    string // "L" for day of month and day of week
}

var cronConstraints = [6]cronConstraint{{0, 59, ""}, {0, 59, ""}, {0, 23, ""}, {1, 31, "L"}, {1, 12, ""}, {0, 7, "L"}}

// cronPredefined is CronExpression.predefined; nothing else starting with "@" is accepted.
var cronPredefined = map[string]string{
	"@yearly":  "0 0 1 1 *",
	"@monthly": "0 0 1 * *",
	"@weekly":  "0 0 * * 0",
	"@daily":   "0 0 * * *",
	"@hourly":  "0 * * * *",
}

var cronAliases = map[int]map[string]int{
	4: {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12},
	5: {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6},
}

var cronDefaults = [6]string{"0", "*", "*", "*", "*", "*"}

var (
	cronStandardChars = regexp.MustCompile(`^[,*\d/-]+$`)
	cronValidChars    = [6]*regexp.Regexp{cronStandardChars, cronStandardChars, cronStandardChars,
		regexp.MustCompile(`^[?,*\dL/-]+$`), cronStandardChars, regexp.MustCompile(`^[?,*\dL#/-]+$`)}
	cronAliasRe = regexp.MustCompile(`(?i)[a-z]{3}`)
)

// cronDaysInMonth is CronExpression.daysInMonth (February has 29).
var cronDaysInMonth = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// cronLoopLimit is LOOP_LIMIT: a search longer than this many steps is an error.
const cronLoopLimit = 10000

// cronVal is one value of a field: a number, or a string kept as is ("L", "5L").
type cronVal struct {
	num   float64
	str   string
	isStr bool
}

// cronExpr is a parsed expression (CronExpression).
type cronExpr struct {
	fields       [6][]cronVal
	nthDayOfWeek int
}

// jsNumber is JavaScript's unary plus on a string of the characters the fields allow.
func jsNumber(s string) float64 {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// jsNum formats a number as JavaScript's String(n) does for the values that occur here.
func jsNum(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (c cronConstraint) isValidChar(v string) bool {
	return c.chars != "" && strings.Contains(v, c.chars)
}

// parseCronExpression is CronExpression.parse(expression) with default options.
func parseCronExpression(expression string) (*cronExpr, error) {
	if p, ok := cronPredefined[expression]; ok {
		expression = p
	}
	atoms := strings.Fields(expression)
	if len(atoms) == 0 {
		atoms = []string{""}
	}
	if len(atoms) > 6 {
		return nil, errors.New("Invalid cron expression")
	}
	e := &cronExpr{}
	start := 6 - len(atoms)
	for i := 0; i < 6; i++ {
		value := ""
		if i >= start {
			value = atoms[i-start]
		}
		if i < start || value == "" {
			vals, err := parseCronField(i, cronDefaults[i])
			if err != nil {
				return nil, err
			}
			e.fields[i] = vals
			continue
		}
		if i == 5 {
			v, nth, err := parseNthDay(value)
			if err != nil {
				return nil, err
			}
			value = v
			if nth > 0 {
				e.nthDayOfWeek = nth
			}
		}
		vals, err := parseCronField(i, value)
		if err != nil {
			return nil, err
		}
		e.fields[i] = vals
	}
	// _handleMaxDaysInMonth
	if months := e.fields[4]; len(months) == 1 && !months[0].isStr {
		days := cronDaysInMonth[int(months[0].num)-1]
		if dom := e.fields[3]; len(dom) > 0 && !dom[0].isStr && dom[0].num > float64(days) {
			return nil, errors.New("Invalid explicit day of month definition")
		}
		var kept []cronVal
		for _, v := range e.fields[3] {
			if (v.isStr && v.str == "L") || (!v.isStr && v.num <= float64(days)) {
				kept = append(kept, v)
			}
		}
		sortCronVals(kept)
		e.fields[3] = kept
	}
	return e, nil
}

// parseNthDay takes "#n" off a day-of-week field.
func parseNthDay(val string) (string, int, error) {
	atoms := strings.Split(val, "#")
	if len(atoms) <= 1 {
		return val, 0, nil
	}
	nth := jsNumber(atoms[len(atoms)-1])
	switch {
	case strings.Contains(val, ","):
		return "", 0, errors.New("Constraint error, invalid dayOfWeek `#` and `,` special characters are incompatible")
	case strings.Contains(val, "/"):
		return "", 0, errors.New("Constraint error, invalid dayOfWeek `#` and `/` special characters are incompatible")
	case strings.Contains(val, "-"):
		return "", 0, errors.New("Constraint error, invalid dayOfWeek `#` and `-` special characters are incompatible")
	case len(atoms) > 2 || math.IsNaN(nth) || nth < 1 || nth > 5:
		return "", 0, errors.New("Constraint error, invalid dayOfWeek occurrence number (#)")
	}
	return atoms[0], int(nth), nil
}

// parseCronField is CronExpression._parseField.
func parseCronField(field int, value string) ([]cronVal, error) {
	c := cronConstraints[field]
	if aliases, ok := cronAliases[field]; ok {
		var aliasErr error
		value = cronAliasRe.ReplaceAllStringFunc(value, func(m string) string {
			n, ok := aliases[strings.ToLower(m)]
			if !ok {
				if aliasErr == nil {
					aliasErr = fmt.Errorf("Validation error, cannot resolve alias %q", strings.ToLower(m))
				}
				return m
			}
			return strconv.Itoa(n)
		})
		if aliasErr != nil {
			return nil, aliasErr
		}
	}
	if !cronValidChars[field].MatchString(value) {
		return nil, fmt.Errorf("Invalid characters, got value: %s", value)
	}
	full := fmt.Sprintf("%d-%d", c.min, c.max)
	if strings.Contains(value, "*") {
		value = strings.ReplaceAll(value, "*", full)
	} else if strings.Contains(value, "?") {
		value = strings.ReplaceAll(value, "?", full)
	}

	var stack []cronVal
	// handleResult: a range's numbers, or one scalar (number or string).
	handleRange := func(vals []float64) error {
		for _, v := range vals {
			if math.IsNaN(v) || v < float64(c.min) || v > float64(c.max) {
				return fmt.Errorf("Constraint error, got value %s expected range %d-%d", jsNum(v), c.min, c.max)
			}
			stack = append(stack, cronVal{num: v})
		}
		return nil
	}
	handleScalar := func(v cronVal) error {
		if v.isStr && c.isValidChar(v.str) {
			stack = append(stack, v)
			return nil
		}
		n := v.num
		shown := jsNum(v.num)
		if v.isStr {
			n = jsNumber(v.str)
			shown = v.str
		}
		if math.IsNaN(n) || n < float64(c.min) || n > float64(c.max) {
			return fmt.Errorf("Constraint error, got value %s expected range %d-%d", shown, c.min, c.max)
		}
		if field == 5 {
			n = math.Mod(n, 7)
		}
		stack = append(stack, cronVal{num: n})
		return nil
	}
	// parseRange returns either a list (a range) or a scalar.
	parseRange := func(val, repeat string) ([]float64, *cronVal, error) {
		atoms := strings.Split(val, "-")
		if len(atoms) > 1 {
			if atoms[0] == "" {
				if atoms[1] == "" {
					return nil, nil, fmt.Errorf("Invalid range: %s", val)
				}
				n := jsNumber(val)
				return nil, &cronVal{num: n}, nil
			}
			lo, hi := jsNumber(atoms[0]), jsNumber(atoms[1])
			if math.IsNaN(lo) || math.IsNaN(hi) || lo < float64(c.min) || hi > float64(c.max) {
				return nil, nil, fmt.Errorf("Constraint error, got range %s-%s expected range %d-%d", jsNum(lo), jsNum(hi), c.min, c.max)
			} else if lo > hi {
				return nil, nil, fmt.Errorf("Invalid range: %s", val)
			}
			step := jsNumber(repeat)
			if math.IsNaN(step) || step <= 0 {
				return nil, nil, fmt.Errorf("Constraint error, cannot repeat at every %s time.", jsNum(step))
			}
			var out []float64
			if field == 5 && math.Mod(hi, 7) == 0 {
				out = append(out, 0)
			}
			idx := step
			for i := lo; i <= hi; i++ {
				exists := false
				for _, x := range out {
					if x == i {
						exists = true
						break
					}
				}
				if !exists && idx > 0 && math.Mod(idx, step) == 0 {
					idx = 1
					out = append(out, i)
				} else {
					idx++
				}
			}
			if out == nil {
				out = []float64{}
			}
			return out, nil, nil
		}
		if n := jsNumber(val); !math.IsNaN(n) {
			return nil, &cronVal{num: n}, nil
		}
		return nil, &cronVal{str: val, isStr: true}, nil
	}
	parseRepeat := func(val string) ([]float64, *cronVal, error) {
		atoms := strings.Split(val, "/")
		if len(atoms) > 2 {
			return nil, nil, fmt.Errorf("Invalid repeat: %s", val)
		}
		if len(atoms) > 1 {
			// atoms[0] == +atoms[0]: a number (or "") starts a range up to the maximum.
			if !math.IsNaN(jsNumber(atoms[0])) {
				atoms = []string{atoms[0] + "-" + strconv.Itoa(c.max), atoms[1]}
			}
			return parseRange(atoms[0], atoms[len(atoms)-1])
		}
		return parseRange(val, "1")
	}
	atoms := strings.Split(value, ",")
	for _, a := range atoms {
		if a == "" {
			return nil, errors.New("Invalid list value format")
		}
	}
	for _, a := range atoms {
		list, scalar, err := parseRepeat(a)
		if err != nil {
			return nil, err
		}
		if scalar != nil {
			err = handleScalar(*scalar)
		} else {
			err = handleRange(list)
		}
		if err != nil {
			return nil, err
		}
	}
	sortCronVals(stack)
	return stack, nil
}

// sortCronVals is CronExpression._sortCompareFn: numbers ascending, then strings.
func sortCronVals(vals []cronVal) {
	sort.SliceStable(vals, func(i, j int) bool {
		a, b := vals[i], vals[j]
		switch {
		case !a.isStr && !b.isStr:
			return a.num < b.num
		case a.isStr != b.isStr:
			return !a.isStr
		}
		return a.str < b.str
	})
}

// matchSchedule is the function of that name in _findSchedule.
func matchSchedule(value int, seq []cronVal) bool {
	v := float64(value)
	for _, s := range seq {
		if !s.isStr && s.num >= v {
			return s.num == v
		}
	}
	return len(seq) > 0 && !seq[0].isStr && seq[0].num == v
}

func hasL(seq []cronVal) bool {
	for _, s := range seq {
		if s.isStr && strings.Contains(s.str, "L") {
			return true
		}
	}
	return false
}

// The CronDate steps: each moves to the start of the next unit, in t's location.
func cronAddMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location())
}

func cronAddDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
}

func cronAddHour(t time.Time) time.Time {
	n := t.Add(time.Hour)
	n = time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), 0, 0, 0, n.Location())
	if !n.After(t) {
		n = n.Add(time.Hour)
	}
	return n
}

func cronAddMinute(t time.Time) time.Time {
	n := t.Add(time.Minute)
	n = time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), n.Minute(), 0, 0, n.Location())
	if n.Before(t) {
		n = n.Add(time.Hour)
	}
	return n
}

func cronAddSecond(t time.Time) time.Time {
	n := t.Add(time.Second).Truncate(time.Second)
	if n.Before(t) {
		n = n.Add(time.Hour)
	}
	return n
}

func isLastDayOfMonth(t time.Time) bool {
	return cronAddDay(t).Month() != t.Month()
}

func isLastWeekdayOfMonth(t time.Time) bool {
	n := t.AddDate(0, 0, 7)
	return n.Month() != t.Month()
}

// isNthDayMatch is the function of that name in _findSchedule.
func isNthDayMatch(t time.Time, nth int) bool {
	if nth >= 6 {
		return false
	}
	d := t.Day()
	if d < 8 && nth == 1 {
		return true
	}
	offset := 0
	if d%7 != 0 {
		offset = 1
	}
	return (d-d%7)/7+offset == nth
}

// next is _findSchedule (forward): the first date after t that matches, or an error after
// cronLoopLimit steps. DST shifts are followed as Go's time package resolves wall clocks.
func (e *cronExpr) next(t time.Time) (time.Time, error) {
	cur := t
	start := t.UnixMilli()
	dom, dow := e.fields[3], e.fields[5]
	for step := 0; step < cronLoopLimit; step++ {
		domMatch := matchSchedule(cur.Day(), dom)
		if hasL(dom) {
			domMatch = domMatch || isLastDayOfMonth(cur)
		}
		dowMatch := matchSchedule(int(cur.Weekday()), dow)
		if hasL(dow) {
			for _, s := range dow {
				if !s.isStr || !strings.Contains(s.str, "L") {
					continue
				}
				wd, err := strconv.Atoi(leadingDigits(s.str))
				if err != nil {
					return time.Time{}, fmt.Errorf("Invalid last weekday of the month expression: %s", s.str)
				}
				if int(cur.Weekday()) == wd%7 && isLastWeekdayOfMonth(cur) {
					dowMatch = true
					break
				}
			}
		}
		domWildcard := len(dom) >= cronDaysInMonth[cur.Month()-1]
		dowWildcard := len(dow) == cronConstraints[5].max-cronConstraints[5].min+1
		switch {
		case !domMatch && (!dowMatch || dowWildcard),
			!domWildcard && dowWildcard && !domMatch,
			domWildcard && !dowWildcard && !dowMatch,
			e.nthDayOfWeek > 0 && !isNthDayMatch(cur, e.nthDayOfWeek):
			cur = cronAddDay(cur)
			continue
		}
		if !matchSchedule(int(cur.Month()), e.fields[4]) {
			cur = cronAddMonth(cur)
			continue
		}
		if !matchSchedule(cur.Hour(), e.fields[2]) {
			cur = cronAddHour(cur)
			continue
		}
		if !matchSchedule(cur.Minute(), e.fields[1]) {
			cur = cronAddMinute(cur)
			continue
		}
		if !matchSchedule(cur.Second(), e.fields[0]) {
			cur = cronAddSecond(cur)
			continue
		}
		if cur.UnixMilli() == start {
			cur = cronAddSecond(cur)
			continue
		}
		return cur, nil
	}
	return time.Time{}, errors.New("Invalid expression, loop limit exceeded")
}

// leadingDigits is what Number.parseInt reads of s: its leading digits.
func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// cronSchedule is a parsed expression as a schedule. A search that fails (cron-parser's loop
// limit) yields the zero time, which the scheduler reads as "never fires again".
type cronSchedule struct{ e *cronExpr }

func (s cronSchedule) Next(t time.Time) time.Time {
	n, err := s.e.next(t)
	if err != nil {
		return time.Time{}
	}
	return n
}
