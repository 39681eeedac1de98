//! Sockets and name resolution around the protocol core.
