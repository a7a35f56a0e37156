package feed

// The per-format renderers, for benchmarks.
var (
	RenderRSS  = renderRSS
	RenderAtom = renderAtom
	RenderJSON = renderJSON
)
