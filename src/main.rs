//! The `cargo-spawnlint` binary: parses arguments, runs the library, prints.

mod allocator;
mod check;
mod fix_command;
mod show;
use show::{show_files, show_settings};

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
    #[command(
        display_name = "cargo-spawnlint",
        version,
        about = ABOUT,
        after_long_help = AFTER_HELP
    )]
    Spawnlint(Cli),
}

const ABOUT: &str = "Finds constructors that spawn a task before the state it uses is initialized";

/// The end of `--help` (and so of `cargo help spawnlint`, which cargo
/// answers by running `cargo-spawnlint spawnlint --help`).
const AFTER_HELP: &str = "\
Exit status: 0 no findings (or only findings below --min-confidence / --fail-on), 1 findings or a file that is not valid Rust, 2 usage error, unreadable or skipped input, an analysis cut short, a failing `cargo check` (--with-check), nothing to analyze or output that cannot be written, 141 when the reader of the output went away (a closed pipe).

Examples:
  cargo spawnlint                               the package around the current directory
  cargo spawnlint --workspace --format sarif    every member, SARIF for code scanning
  cargo spawnlint src/ --format github          annotations in GitHub Actions
  cargo spawnlint --message-format=json --with-check
                                                rust-analyzer's check.overrideCommand
  cargo spawnlint --explain SL002               a rule's documentation";

#[derive(Parser)]
#[command(name = "cargo-spawnlint", version, about = ABOUT, after_long_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    args: RunArgs,
}

#[derive(Args)]
struct RunArgs {
    /// Files or directories to analyze (default: the Cargo workspace).
    paths: Vec<PathBuf>,
    /// Output format [default: human].
    #[arg(long, value_enum)]
    format: Option<Format>,
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
    #[arg(
        short = 'j',
        long = "jobs",
        visible_alias = "threads",
        default_value_t = 0
    )]
    threads: usize,
    /// Print the code of every fix, not only the preferred one's (human
    /// output).
    #[arg(long)]
    show_fixes: bool,
    /// Print how many findings each rule has instead of the findings
    /// (JSON with `--format json`).
    #[arg(long)]
    statistics: bool,
    /// Analyze standard input as the file at this path (editors: the
    /// unsaved buffer); no other file is read.
    #[arg(long, value_name = "PATH", conflicts_with = "paths")]
    stdin_filename: Option<PathBuf>,
    /// Also write the findings in FORMAT to FILE, from the same run
    /// (repeatable): `--format github --also sarif=results.sarif`.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_also)]
    also: Vec<(Format, PathBuf)>,
    /// Write the output to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Source files larger than this many bytes are reported and skipped
    /// (the run exits 2) [default: 33554432, 32 MiB].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Analyze every crate again instead of reusing, from the cache under
    /// the target directory (`target/spawnlint`), the findings of crates
    /// whose files, configuration and rule selection are unchanged.
    #[arg(long)]
    no_cache: bool,
    /// Parse every file whole, as written, and all crates at once:
    /// otherwise generated data tables (long runs of literals, which hold
    /// nothing to analyze) are blanked before parsing and crates are
    /// analyzed a few at a time. The findings are the same; for checking
    /// exactly that.
    #[arg(long)]
    exhaustive: bool,
    /// Parse every function body, reporting syntax errors in bodies the
    /// analysis never reads too (by default a body is parsed only when the
    /// analysis reads it; errors between items, and unbalanced delimiters
    /// or unterminated literals anywhere, are always reported).
    #[arg(long)]
    check_syntax: bool,
    /// Explain, for every spawn on this line, why it was or was not
    /// reported: the function that starts it, what the task reaches, which
    /// gate or tolerant access kept it quiet, what initializes the state
    /// later. The given paths (or the workspace) are analyzed as usual.
    #[arg(long, value_name = "FILE:LINE", value_parser = parse_site)]
    explain_site: Option<(PathBuf, u32)>,
    /// The least confidence a finding needs to fail the run (exit status
    /// 1): high, medium or low [default: the configuration's
    /// `min-confidence`, else medium]. Findings below it are still shown.
    #[arg(long, value_name = "LEVEL", value_parser = ["high", "medium", "low"])]
    min_confidence: Option<String>,
    /// The least severity a finding needs to fail the run (exit status 1):
    /// `error` lets warnings through, shown but not failing [default:
    /// warning].
    #[arg(long, value_name = "SEVERITY", value_parser = ["error", "warning"])]
    fail_on: Option<String>,
    /// Print only the findings, no summary.
    #[arg(short, long)]
    quiet: bool,
    /// Cargo's spelling of the format, as editors pass it: `json` (and
    /// cargo's `json-diagnostic-*` variants) print `rustc-json`; `short`,
    /// `human` as `--format`.
    #[arg(
        long,
        value_name = "FMT",
        value_delimiter = ',',
        conflicts_with = "format"
    )]
    message_format: Vec<String>,
    /// Also run `cargo check --message-format=json` (same manifest and
    /// packages) and pass its messages through, for rust-analyzer's
    /// `check.overrideCommand`, which runs a single command.
    #[arg(long)]
    with_check: bool,
    /// With --with-check, arguments after `--` go to `cargo check`
    /// (`-- --all-targets --features x --target y`).
    #[arg(last = true, value_name = "CARGO_CHECK_ARGS")]
    cargo_args: Vec<String>,
    /// Analyze the given files together with the rest of the Cargo package
    /// each belongs to (a window's other end may be in a file not given),
    /// and report findings in the given files only: pre-commit's staged
    /// files.
    #[arg(long)]
    crate_context: bool,
    /// Print the files that would be analyzed (each with its crate's
    /// directory) and exit.
    #[arg(long)]
    show_files: bool,
    /// Print the configuration each crate gets (which file, every key's
    /// effective value) and exit.
    #[arg(long)]
    show_settings: bool,
    /// Apply the safe fixes (re-analysing until none applies), then report
    /// what remains.
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff, also apply the unsafe fixes (they change an
    /// API or behaviour: read them).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing.
    #[arg(long)]
    diff: bool,
    /// With --fix, write files that have uncommitted changes or are not
    /// in a git work tree (refused by default, as `cargo fix` does).
    #[arg(long, requires = "fix")]
    allow_dirty: bool,
    /// With --fix, run `cargo check` on each package a fix changed and
    /// restore every changed file if the build fails.
    #[arg(long, requires = "fix")]
    fix_check: bool,
    #[command(flatten)]
    manifest: clap_cargo::Manifest,
    #[command(flatten)]
    workspace: clap_cargo::Workspace,
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

/// The format asked for: `--format`, else `--message-format` (cargo's
/// names), else human.
fn output_format(args: &RunArgs) -> Result<Format, String> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    let mut format = None;
    for v in &args.message_format {
        let f = match v.as_str() {
            "human" => Format::Human,
            "short" => Format::Short,
            v if v == "json" || v.starts_with("json-") => Format::RustcJson,
            other => {
                return Err(format!(
                    "unknown --message-format `{other}` (expected json, short or human)"
                ))
            }
        };
        // `json,json-diagnostic-rendered-ansi`: json wins, as in cargo.
        if format != Some(Format::RustcJson) {
            format = Some(f);
        }
    }
    Ok(format.unwrap_or(Format::Human))
}

fn main() -> ExitCode {
    allocator::tune();
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

/// Write to standard output. A closed pipe (`| head`) or a full device
/// ends the run quietly with a status, never a panic.
fn out(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| output_error(&e))
}

/// The status for a failed write: 141 (128 + SIGPIPE, what a shell shows
/// for a reader that went away) for a closed pipe, else 2 with a message.
fn output_error(e: &std::io::Error) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return ExitCode::from(141);
    }
    say(&format!("error: cannot write the output: {e}"));
    ExitCode::from(2)
}

/// A line on standard error; if standard error itself cannot be written
/// there is nobody to tell.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// `--explain-site`: the explanations, or why there is none.
fn print_site(report: &spawnlint::Report, file: &std::path::Path, line: u32) -> ExitCode {
    let mut text = String::new();
    if report.site_explanations.is_empty() {
        text.push_str(&format!(
            "{}:{line}: no spawn there reached from a constructor, nor a spawning function whose task listens or waits (the analysis examines only those)\n",
            file.display()
        ));
    }
    for e in &report.site_explanations {
        text.push_str(e);
        text.push('\n');
    }
    match out(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `FORMAT=FILE` for `--also`.
fn parse_also(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, got `{s}`"))?;
    let format = <Format as clap::ValueEnum>::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}` (human, short, json, sarif, github, gitlab, rustc-json)")
    })?;
    if file.is_empty() {
        return Err(format!("no file after `=` in `{s}`"));
    }
    Ok((format, PathBuf::from(file)))
}

/// `FILE:LINE` for `--explain-site`.
fn parse_site(s: &str) -> Result<(PathBuf, u32), String> {
    let (file, line) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("expected FILE:LINE, got `{s}`"))?;
    let line = line
        .parse::<u32>()
        .map_err(|_| format!("`{line}` is not a line number"))?;
    Ok((PathBuf::from(file), line))
}

/// `--list-rules`.
fn list_rules(json: bool) -> ExitCode {
    let rules = spawnlint::rules::registry();
    let severity = |m: &spawnlint::rule::RuleMeta| {
        if m.default_severity == m.max_severity {
            m.default_severity.as_str().to_string()
        } else {
            format!(
                "{}..{}",
                m.default_severity.as_str(),
                m.max_severity.as_str()
            )
        }
    };
    let text = if json {
        let list: Vec<serde_json::Value> = rules
            .iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({
                    "code": m.code,
                    "slug": m.slug,
                    "default_severity": m.default_severity.as_str(),
                    "max_severity": m.max_severity.as_str(),
                    "summary": m.summary,
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
        s.push('\n');
        s
    } else {
        let mut s = format!(
            "{:<6} {:<20} {:<16} {}\n",
            "code", "slug", "severity", "fires when"
        );
        for r in rules.iter() {
            let m = r.meta();
            s.push_str(&format!(
                "{:<6} {:<20} {:<16} {}\n",
                m.code,
                m.slug,
                severity(m),
                m.summary
            ));
        }
        s
    };
    match out(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `--explain CODE|SLUG`.
fn explain(code: &str) -> ExitCode {
    match spawnlint::rules::explain_text(code) {
        Some(text) => match out(text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        None => {
            say(&format!(
                "error: unknown rule `{code}` (see `cargo spawnlint --list-rules`)"
            ));
            ExitCode::from(2)
        }
    }
}

fn run(args: RunArgs) -> ExitCode {
    if args.list_rules {
        return list_rules(matches!(args.format, Some(Format::Json)));
    }
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let format = match output_format(&args) {
        Ok(f) => f,
        Err(e) => {
            say(&format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    let whole_workspace = args.workspace.workspace || args.workspace.all;
    if !args.workspace.exclude.is_empty() && !whole_workspace {
        // cargo's own rule and words.
        say("error: --exclude can only be used together with --workspace");
        return ExitCode::from(2);
    }
    if let Some(problem) = fix_conflict(&args) {
        say(&format!("error: {problem}"));
        return ExitCode::from(2);
    }
    if !args.cargo_args.is_empty() && !args.with_check {
        say("error: arguments after `--` are for `cargo check` and need --with-check");
        return ExitCode::from(2);
    }
    if args.with_check && format != Format::RustcJson {
        say("error: --with-check needs --message-format=json (or --format rustc-json)");
        return ExitCode::from(2);
    }
    let check = if args.with_check {
        match check::Check::start(&args.manifest, &args.workspace, &args.cargo_args) {
            Ok(c) => Some(c),
            Err(e) => {
                say(&format!("error: cannot run cargo check: {e}"));
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    if args.threads > spawnlint::pipeline::MAX_THREADS && !args.quiet {
        say(&format!(
            "note: {} worker threads asked for; using {}",
            args.threads,
            spawnlint::pipeline::MAX_THREADS
        ));
    }
    let opts = match options(&args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if args.show_files {
        return show_files(&opts);
    }
    if args.show_settings {
        return show_settings(&opts);
    }
    if args.fix || args.diff {
        return run_fix(&opts, format, &args);
    }
    let report = match spawnlint::analyze(&opts) {
        Ok(r) => r,
        Err(e) => {
            say(&format!("error: {e}"));
            // cargo's messages still reach the editor.
            if let Some(Ok(outcome)) = check.map(check::Check::finish) {
                let _ = out(&outcome.trailer);
            }
            return ExitCode::from(2);
        }
    };
    if let Some((file, line)) = &args.explain_site {
        return print_site(&report, file, *line);
    }
    if let Some(w) = &report.cache_warning {
        say(&format!("warning: {w}"));
    }
    // cargo's messages first (streamed while we analyzed), ours, then
    // cargo's closing `build-finished` line.
    let checked = check.map(check::Check::finish);
    if let Err(code) = emit(&report, format, &args) {
        return code;
    }
    let check_failed = match &checked {
        Some(Ok(outcome)) => {
            if let Err(code) = out(&outcome.trailer) {
                return code;
            }
            !outcome.success
        }
        Some(Err(e)) => {
            say(&format!("error: cargo check: {e}"));
            return ExitCode::from(2);
        }
        None => false,
    };
    if let Some((path, n)) = report.baseline.as_ref().and_then(|b| b.written.as_ref()) {
        if !args.quiet {
            say(&format!(
                "spawnlint: wrote {} with {n} finding{}",
                path.display(),
                if *n == 1 { "" } else { "s" }
            ));
        }
    }
    if !report.problems.is_empty() && format != Format::Human {
        for p in &report.problems {
            say(&format!("error: {}: {}", p.display, p.message));
        }
    }
    exit_status(&report, check_failed, args.exit_zero)
}

/// Flags `--fix` and `--diff` cannot be combined with, and why.
fn fix_conflict(args: &RunArgs) -> Option<&'static str> {
    let fixing = args.fix || args.diff;
    if args.fix && args.diff {
        Some("--diff writes nothing; use --fix or --diff, not both")
    } else if args.unsafe_fixes && !fixing {
        Some("--unsafe-fixes needs --fix or --diff")
    } else if fixing && args.stdin_filename.is_some() && args.fix {
        Some("--fix writes files; with --stdin-filename use --diff")
    } else if fixing && (args.explain_site.is_some() || args.with_check) {
        Some("--fix and --diff cannot be combined with --explain-site or --with-check")
    } else if fixing && args.write_baseline.is_some() {
        Some("--fix and --diff cannot be combined with --write-baseline")
    } else {
        None
    }
}

/// `--fix` / `--diff`: fix in memory; then print the diff, or check
/// version control, write, verify, and report what remains.
fn run_fix(opts: &spawnlint::Options, format: Format, args: &RunArgs) -> ExitCode {
    let policy = spawnlint::fixer::Policy {
        unsafe_fixes: args.unsafe_fixes,
    };
    let outcome = match spawnlint::fixer::fix(opts, policy) {
        Ok(o) => o,
        Err(e) => {
            say(&format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    let mode = fix_command::Mode {
        diff: args.diff,
        allow_dirty: args.allow_dirty,
        check: args.fix_check,
    };
    if mode.diff {
        if let Err(code) = out(&fix_command::diff(&outcome)) {
            return code;
        }
        if !args.quiet {
            say(fix_command::summary(&outcome, &mode, args.unsafe_fixes).trim_end());
        }
        return if outcome.changed.is_empty() || args.exit_zero {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    if !mode.allow_dirty {
        let dirty = fix_command::dirty(&outcome.changed);
        if !dirty.is_empty() {
            for (file, why) in &dirty {
                say(&format!("error: {file} {why}"));
            }
            say("error: --fix writes nothing while a file it would change is not committed: commit or stash first, or pass --allow-dirty (see the changes with --diff)");
            return ExitCode::from(2);
        }
    }
    if let Err(e) = fix_command::write(&outcome.changed) {
        say(&format!("error: {e}"));
        return ExitCode::from(2);
    }
    if mode.check && !outcome.changed.is_empty() {
        match fix_command::check(&outcome.changed) {
            Ok(n) if !args.quiet => say(&format!(
                "spawnlint: `cargo check` passes on the {n} package{} changed",
                if n == 1 { "" } else { "s" }
            )),
            Ok(_) => {}
            Err(e) => {
                say(&format!("error: {e}"));
                return ExitCode::from(2);
            }
        }
    }
    if let Err(code) = emit(&outcome.report, format, args) {
        return code;
    }
    if !args.quiet {
        say(fix_command::summary(&outcome, &mode, args.unsafe_fixes).trim_end());
    }
    exit_status(&outcome.report, false, args.exit_zero)
}

/// The library's options from the arguments (standard input read, with
/// `--stdin-filename`).
fn options(args: &RunArgs) -> Result<spawnlint::Options, ExitCode> {
    Ok(spawnlint::Options {
        // The only place the current directory is read: paths are relative
        // to it and shown relative to it.
        root: std::env::current_dir().unwrap_or_default(),
        paths: args.paths.clone(),
        workspace: spawnlint::discover::WorkspaceOptions {
            manifest_path: args.manifest.manifest_path.clone(),
            packages: args.workspace.package.clone(),
            workspace: args.workspace.workspace || args.workspace.all,
            exclude: args.workspace.exclude.clone(),
        },
        threads: args.threads,
        max_file_size: args.max_file_size,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        config: args.config.clone(),
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
        min_confidence: args
            .min_confidence
            .as_deref()
            .and_then(spawnlint::diagnostic::Confidence::from_name),
        explain_site: args.explain_site.clone(),
        crate_context: args.crate_context,
        fail_on: match args.fail_on.as_deref() {
            Some("error") => Some(spawnlint::diagnostic::Severity::Error),
            Some(_) => Some(spawnlint::diagnostic::Severity::Warning),
            None => None,
        },
        stdin: read_stdin(args)?,
        overlay: Default::default(),
        cache: cache_settings(args),
        exhaustive: args.exhaustive,
        check_syntax: args.check_syntax,
    })
}

/// The cache ([`spawnlint::cache::Settings::locate`]), unless `--no-cache`.
fn cache_settings(args: &RunArgs) -> Option<spawnlint::cache::Settings> {
    if args.no_cache {
        return None;
    }
    let cwd = std::env::current_dir().ok()?;
    let target = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty());
    let manifest = args.manifest.manifest_path.as_deref();
    spawnlint::cache::Settings::locate(&cwd, manifest, target.as_deref().map(std::path::Path::new))
}

/// With `--stdin-filename`, that path and standard input's text.
fn read_stdin(args: &RunArgs) -> Result<Option<(PathBuf, String)>, ExitCode> {
    let Some(path) = &args.stdin_filename else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    let limit = args
        .max_file_size
        .unwrap_or(spawnlint::files::DEFAULT_MAX_SOURCE_BYTES);
    use std::io::Read;
    if let Err(e) = std::io::stdin().take(limit + 1).read_to_end(&mut bytes) {
        say(&format!("error: cannot read standard input: {e}"));
        return Err(ExitCode::from(2));
    }
    if bytes.len() as u64 > limit {
        say(&format!(
            "error: standard input is larger than {limit} bytes (--max-file-size)"
        ));
        return Err(ExitCode::from(2));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some((path.clone(), text))),
        Err(_) => {
            say(&format!(
                "error: standard input ({}) is not valid UTF-8",
                path.display()
            ));
            Err(ExitCode::from(2))
        }
    }
}

/// Render the report as asked and write it to standard output or to
/// `--output-file`.
fn emit(report: &spawnlint::Report, format: Format, args: &RunArgs) -> Result<(), ExitCode> {
    let style = render::Style {
        color: use_color(args.color),
        quiet: args.quiet,
        show_fixes: args.show_fixes,
    };
    let text = if args.statistics {
        render::statistics(report, format == Format::Json)
    } else {
        render::render_with(report, format, &style)
    };
    for (format, path) in &args.also {
        let text = render::render_with(
            report,
            *format,
            &render::Style {
                color: false,
                ..style
            },
        );
        if let Err(e) = spawnlint::files::write_replacing(path, &text) {
            say(&format!("error: cannot write {}: {e}", path.display()));
            return Err(ExitCode::from(2));
        }
    }
    match &args.output_file {
        Some(path) => std::fs::write(path, &text).map_err(|e| {
            say(&format!("error: cannot write {}: {e}", path.display()));
            ExitCode::from(2)
        }),
        None => out(&text),
    }
}

/// 2 when the run could not do its job in full (input unread or skipped,
/// an analysis cut short) or `cargo check` failed (`--with-check`), else 1
/// when something fails the run — a finding at the failing confidence, a
/// file that is not valid Rust (as ruff counts it) — unless `--exit-zero`,
/// else 0.
fn exit_status(report: &spawnlint::Report, check_failed: bool, exit_zero: bool) -> ExitCode {
    let syntax_errors = !report.parse_failures.is_empty();
    if check_failed {
        // The build is broken: that is cargo's report, not ours.
        say("error: `cargo check` failed (its messages are in the output)");
        ExitCode::from(2)
    } else if report.unreliable() {
        ExitCode::from(2)
    } else if (report.failing > 0 || syntax_errors) && !exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
