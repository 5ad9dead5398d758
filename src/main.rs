//! The `cargo-spawnlint` binary: parses arguments, runs the library, prints.

use clap::{Args, Parser};
use spawnlint::render::{self, Format};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Cargo runs `cargo-spawnlint spawnlint ARGS`; run directly, the
/// subcommand word is absent. Both parse to [`Cli`].
#[derive(Parser)]
#[command(name = "cargo-spawnlint", bin_name = "cargo", version)]
enum CargoCli {
    /// Find premature task spawning.
    Spawnlint(Cli),
}

#[derive(Parser)]
#[command(
    name = "cargo-spawnlint",
    version,
    about = "Finds constructors that spawn a task before the state it uses is initialized"
)]
struct Cli {
    #[command(flatten)]
    args: RunArgs,
}

#[derive(Args)]
struct RunArgs {
    /// Files or directories to analyze (default: the Cargo workspace).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// When to use colors.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Print the documentation of a rule (code or slug) and exit.
    #[arg(long, value_name = "CODE|SLUG")]
    explain: Option<String>,
    /// List the rules and exit.
    #[arg(long)]
    list_rules: bool,
    /// Only run these rules (code or slug; repeatable, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (code or slug; repeatable, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Use this configuration file for every crate (instead of the nearest
    /// spawnlint.toml, .spawnlint.toml or Cargo.toml metadata).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    threads: usize,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Print only the findings, no summary.
    #[arg(short, long)]
    quiet: bool,
    /// Path to Cargo.toml (workspace mode).
    #[arg(long)]
    manifest_path: Option<PathBuf>,
    /// Package(s) to analyze (workspace mode).
    #[arg(short, long)]
    package: Vec<String>,
    /// Analyze every workspace member.
    #[arg(long)]
    workspace: bool,
    /// Workspace members to skip with --workspace.
    #[arg(long)]
    exclude: Vec<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                return false;
            }
            match std::env::var("CARGO_TERM_COLOR").as_deref() {
                Ok("always") => true,
                Ok("never") => false,
                _ => std::io::stdout().is_terminal(),
            }
        }
    }
}

fn main() -> ExitCode {
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args = if argv.get(1).is_some_and(|a| a == "spawnlint") {
        match CargoCli::try_parse_from(&argv) {
            Ok(CargoCli::Spawnlint(cli)) => cli.args,
            Err(e) => return usage(e),
        }
    } else {
        if argv.is_empty() {
            argv.push("cargo-spawnlint".into());
        }
        match Cli::try_parse_from(&argv) {
            Ok(cli) => cli.args,
            Err(e) => return usage(e),
        }
    };
    run(args)
}

fn usage(e: clap::Error) -> ExitCode {
    let code = e.exit_code();
    let _ = e.print();
    if code == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn run(args: RunArgs) -> ExitCode {
    let registry = spawnlint::rules::registry();
    if args.list_rules {
        let mut out = String::new();
        for r in registry {
            out.push_str(&format!(
                "{}  {:<20} {:<8} {}\n",
                r.code, r.slug, r.severity, r.summary
            ));
        }
        print!("{out}");
        return ExitCode::SUCCESS;
    }
    if let Some(code) = &args.explain {
        return match spawnlint::rules::explain_text(code) {
            Some(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: unknown rule `{code}` (see `cargo spawnlint --list-rules`)");
                ExitCode::from(2)
            }
        };
    }
    let opts = spawnlint::Options {
        paths: args.paths,
        workspace: spawnlint::discover::WorkspaceOptions {
            manifest_path: args.manifest_path,
            packages: args.package,
            workspace: args.workspace,
            exclude: args.exclude,
        },
        threads: args.threads,
        select: args.select,
        ignore: args.ignore,
        config: args.config,
        baseline: args.baseline,
        write_baseline: args.write_baseline,
    };
    let report = match spawnlint::analyze(&opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let text = render::render(&report, args.format, use_color(args.color), args.quiet);
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    if let Some((path, n)) = report.baseline.as_ref().and_then(|b| b.written.as_ref()) {
        if !args.quiet {
            eprintln!(
                "spawnlint: wrote {} with {n} finding{}",
                path.display(),
                if *n == 1 { "" } else { "s" }
            );
        }
    }
    if !report.problems.is_empty() && args.format != Format::Human {
        for p in &report.problems {
            eprintln!("error: {}: {}", p.path.display(), p.message);
        }
    }
    if !report.diagnostics.is_empty() && !args.exit_zero {
        ExitCode::from(1)
    } else if report.parse_failures.iter().any(|f| f.unreadable) || !report.problems.is_empty() {
        // Unreadable input; a syntax error is reported but is not fatal.
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
