//! The `datafast` command-line client: parses the command line, resolves settings, calls the
//! server over HTTP and shows the answer. `main.rs` only maps the result to an exit code.

pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod error;
pub mod output;
pub mod period;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::client::Client;
use crate::config::{FlagSettings, Settings};
use crate::error::{CliError, CliResult, exit};
use crate::output::Output;

/// Everything a command needs: the settings in force and how to show things.
#[derive(Debug)]
pub struct Ctx {
    pub settings: Settings,
    pub out: Output,
}

impl Ctx {
    /// A client for the Account API: the account token, else the site key.
    pub fn admin_client(&self) -> CliResult<Client> {
        let credential = self
            .settings
            .token
            .as_ref()
            .or(self.settings.site_key.as_ref())
            .map(|c| c.value.clone())
            .ok_or_else(|| {
                CliError::NoCredential(
                    "not logged in: run `datafast login`, or set DATAFAST_TOKEN".to_owned(),
                )
            })?;
        self.client_with(Some(credential))
    }

    pub fn client_with(&self, credential: Option<String>) -> CliResult<Client> {
        Client::new(&self.settings.api_base.value, credential, self.out.progress)
    }

    /// The website a command acts on: the one given, else the configured default.
    pub fn website(&self, given: Option<&str>) -> CliResult<String> {
        given
            .map(str::to_owned)
            .or_else(|| self.settings.website_id.as_ref().map(|w| w.value.clone()))
            .ok_or_else(|| {
                CliError::usage(
                    "no website given: pass WEBSITE_ID, or set a default with `datafast config set-website <id>`",
                )
            })
    }
}

/// Runs the command line `args` and returns the exit code.
pub fn main_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let out = Output::detect(cli.global.json);
    match run(cli, out) {
        Ok(()) => exit::OK,
        Err(error) => {
            out.error(&error.to_string());
            error.exit_code()
        }
    }
}

pub fn run(cli: Cli, out: Output) -> CliResult<()> {
    if let Command::Completion { shell } = cli.command {
        let mut command = Cli::command();
        clap_complete::generate(shell, &mut command, "datafast", &mut std::io::stdout());
        return Ok(());
    }
    let flags = FlagSettings {
        token: cli.global.token.clone(),
        site_key: cli.global.site_key.clone(),
        api_base: cli.global.api_base.clone(),
    };
    let ctx = Ctx {
        settings: Settings::load(&flags)?,
        out,
    };
    commands::dispatch(&ctx, cli.command)
}
