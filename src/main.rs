use clap::Parser;

fn main() {
    let cli = reportdesk::cli::Cli::parse();
    // The attachment reader runs without an async runtime: one thread, little address space.
    if let reportdesk::cli::Command::ReadWorker {
        memory_mib,
        max_message_bytes,
    } = cli.command
    {
        std::process::exit(reportdesk::worker::child::serve(
            memory_mib,
            max_message_bytes,
        ));
    }
    reportdesk::telemetry::init(cli.log_format);
    if cli.command.only_prints() {
        reportdesk::ops::pipe::end_quietly_on_closed_pipe();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("reportdesk: cannot start the async runtime: {error}");
            std::process::exit(2);
        }
    };
    match runtime.block_on(reportdesk::cli::run(cli)) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("reportdesk: {error:#}");
            std::process::exit(2);
        }
    }
}
