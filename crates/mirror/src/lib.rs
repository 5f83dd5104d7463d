//! The back-to-origin fetcher: fetches `MirrorURL + key` from the origin, streams it to the
//! client while writing it into the store, and commits it only when complete.
