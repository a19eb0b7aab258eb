//! Operations (SPEC §17) through the binary: the data dir's lock and safe delivery beside the
//! daemon, check-config, health and logs, backup and restore, holidays, deployment.

mod backup;
mod check_config;
mod daemon;
mod deploy;
mod health;
mod lock;
mod owner;
mod smtp_sink;
