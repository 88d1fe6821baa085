//! Rules over the image config (Dockle's CIS-DI checkpoints, CIS Docker Benchmark
//! section 4), one module each.

pub mod no_healthcheck;
pub mod root_user;
