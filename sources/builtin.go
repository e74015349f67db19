package sources

import _ "embed"

// BuiltinYAML is the built-in feed list (see feeds.yaml), used when the
// config file lists no sources. The app parses it with the same code as the
// config file, so both accept exactly the same shape.
//
//go:embed feeds.yaml
var BuiltinYAML []byte
