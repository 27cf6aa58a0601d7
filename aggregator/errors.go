package aggregator

import "errors"

// ErrNotFound is returned, wrapped, when a record (item, story, source, key)
// does not exist in the store.
var ErrNotFound = errors.New("not found")

// ErrUnknownTopic is returned when a topic id is not in the configuration.
var ErrUnknownTopic = errors.New("unknown topic")
