package topic

import "github.com/tributary-feeds/tributary/aggregator/topic/query"

// Query is a parsed boolean topic query (match.query): AND, OR, NOT,
// parentheses, quoted phrases and bare words, with an implicit AND between
// adjacent terms and "a NOT b" meaning "a AND NOT b". NOT binds tighter than
// AND, AND tighter than OR; operators are upper-case only. Its Match method
// reports whether the query holds for a text made of fields, and String
// prints it in a canonical form that parses back to the same structure.
type Query = query.Query

// QueryError is a syntax error in a query, with its 1-based column.
type QueryError = query.Error

// ParseQuery parses a topic query. A syntax error is a *QueryError, for
// example `column 17: expected ")" to close "(" at column 1`.
func ParseQuery(s string) (*Query, error) { return query.Parse(s) }
