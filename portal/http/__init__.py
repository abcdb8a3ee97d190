"""HTTP operations: the content version and HTTP caching, cache backends, outage
answers, the request log and the health probes."""
