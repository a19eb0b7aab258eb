use clap::Parser;

#[tokio::main]
async fn main() {
    reportdesk::telemetry::init();
    let cli = reportdesk::cli::Cli::parse();
    match reportdesk::cli::run(cli).await {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("reportdesk: {error:#}");
            std::process::exit(2);
        }
    }
}
