"""Loopback upstreams: a TLS server on 127.0.0.1 hosting apps by Host header."""
