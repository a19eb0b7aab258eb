//! Logging: `tracing` to standard error, filtered by `RUST_LOG` (default `warn`, so command
//! output stays clean; `run` users set `RUST_LOG=info`).

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
