package bot

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// ReadBody reads at most max bytes of r's body for a signature check,
// answering 413 when it is larger and 400 when it cannot be read (ok is
// then false and the response is written). It leaves r.Body readable
// again, holding the same bytes, for the handler after the check.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) (body []byte, ok bool) {
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return nil, false
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return nil, false
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return body, true
}
