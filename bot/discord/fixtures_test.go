package discord

import "github.com/sahelbrief/sahelbrief/bot/internal/digesttest"

// The digest fixtures shared by the renderers' tests (see digesttest).
var (
	typicalDigest = digesttest.Typical
	quietDigest   = digesttest.Quiet
	splitDigest   = digesttest.Split
	nasty         = digesttest.Nasty
	badURLs       = digesttest.BadURLs
	randText      = digesttest.RandText
	randDigest    = digesttest.RandDigest
	randStory     = digesttest.RandStory
	marker        = digesttest.Marker
	windowEnd     = digesttest.WindowEnd
	at            = digesttest.At
	golden        = digesttest.Golden
)
