//! Rules over the image config and the final filesystem view (Dockle's CIS-DI and
//! DKL-DI checkpoints, CIS Docker Benchmark section 4), one module each.

pub mod add_instead_of_copy;
pub mod credential_files;
pub mod latest_tag;
pub mod no_healthcheck;
pub mod package_caches;
pub mod package_upgrade;
pub mod root_user;
pub mod secrets_in_config;
pub mod sensitive_volume;
pub mod setuid_files;
pub mod ssh_port;
pub mod sudo_in_history;
pub mod unnecessary_files;
pub mod update_alone;
