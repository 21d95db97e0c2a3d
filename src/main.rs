use std::process::ExitCode;

use clap::Parser;

#[actix_web::main]
async fn main() -> ExitCode {
    kiwi::cli::run(kiwi::cli::Cli::parse()).await
}
