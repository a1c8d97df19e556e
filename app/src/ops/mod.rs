//! Operating the server: one access line per request, request ids, Prometheus metrics and
//! who may read them, liveness and readiness. Server-only; owns no table.

pub mod access;
pub mod metrics;
pub mod probes;
