//! A scripted loopback HTTP server for pollhttp's tests and demo.
