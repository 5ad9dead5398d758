//! The machine formats against their real consumers: SARIF against the
//! official SARIF 2.1.0 schema, rustc-json through the parser rust-analyzer
//! uses (`cargo_metadata::Message::parse_stream`), GitHub workflow commands
//! through the runner's unescaping rules, GitLab's Code Quality fields.

mod common;

use spawnlint::diagnostic::{Diagnostic, Label, Severity};
use spawnlint::render::{render, Format};
use spawnlint::source::{FileEntry, Pos, Span};
use spawnlint::Report;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Analyze paths relative to the crate root (or absolute), displayed
/// relative to it.
fn analyze(paths: &[PathBuf]) -> Report {
    spawnlint::analyze(&spawnlint::Options {
        root: root().to_path_buf(),
        paths: paths.to_vec(),
        threads: 1,
        ..Default::default()
    })
    .unwrap()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

fn sarif_validator() -> jsonschema::Validator {
    let schema = json(include_str!("data/sarif-schema-2.1.0.json"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, log: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: invalid SARIF:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    // Every fixture at once: many results, both rules, fixes with edits.
    let report = analyze(&[root().join("fixtures")]);
    assert!(report.diagnostics.len() >= 20);
    let log = json(&render(&report, Format::Sarif, false, false));
    assert_valid(&validator, &log, "fixtures/");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), spawnlint::rules::registry().len());
    for r in rules {
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## What it does"));
        assert!(r["defaultConfiguration"]["level"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.diagnostics.len());
    for (r, d) in results.iter().zip(&report.diagnostics) {
        assert_eq!(r["ruleId"], d.code());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], d.span.start.line);
        assert_eq!(region["startColumn"], d.span.start.column + 1);
        assert_eq!(region["endColumn"], d.span.end.column + 1, "exclusive end");
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("fixtures/"), "repo-relative: {uri}");
        // Omitted when a finding has no secondary label.
        assert_eq!(
            r["relatedLocations"].as_array().map_or(0, Vec::len),
            d.labels.len() - 1
        );
    }
    assert!(
        results
            .iter()
            .any(|r| r["fixes"][0]["artifactChanges"][0]["replacements"]
                .as_array()
                .is_some_and(|a| a.len() == 2)),
        "the SL001 reorder fixes are replacements"
    );

    // A parse failure becomes a notification; still valid.
    let dir = common::tempdir("sarif");
    std::fs::write(dir.join("broken.rs"), "fn main( {\n").unwrap();
    let log = json(&render(&analyze(&[dir]), Format::Sarif, false, false));
    assert_valid(&validator, &log, "parse failure");
    assert_eq!(
        log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    let validator = sarif_validator();
    let report = analyze(&[root().join("fixtures/spawn-before-load/motivating_service.rs")]);
    let mut log = json(&render(&report, Format::Sarif, false, false));
    assert_valid(&validator, &log, "as rendered");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&log), "startLine 0 must be rejected");
    let mut log = json(&render(&report, Format::Sarif, false, false));
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !validator.is_valid(&log),
        "an unknown level must be rejected"
    );
}

/// `partialFingerprints` of the SARIF log, and the start lines of results.
fn fingerprints_and_lines(file: &Path) -> (Vec<String>, Vec<u64>) {
    let log = json(&render(
        &analyze(&[file.to_path_buf()]),
        Format::Sarif,
        false,
        false,
    ));
    let results = log["runs"][0]["results"].as_array().unwrap().clone();
    let prints = results
        .iter()
        .map(|r| r["partialFingerprints"]["spawnlintFingerprint/v1"].to_string())
        .collect();
    let lines = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    (prints, lines)
}

#[test]
fn fingerprints_survive_a_blank_line_above_the_finding() {
    for fixture in [
        "fixtures/spawn-before-load/motivating_service.rs",
        "fixtures/spawn-before-init/route_health_thread.rs",
    ] {
        let dir = common::tempdir("fingerprint");
        let file = dir.join("service.rs");
        let text = std::fs::read_to_string(root().join(fixture)).unwrap();
        std::fs::write(&file, &text).unwrap();
        let (before, lines_before) = fingerprints_and_lines(&file);
        assert_eq!(before.len(), 1, "{fixture}");
        // A blank line just above the spawn's line.
        let spawn_line = lines_before[0] as usize;
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(spawn_line - 1, "");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let (after, lines_after) = fingerprints_and_lines(&file);
        assert_eq!(
            lines_after[0],
            lines_before[0] + 1,
            "{fixture}: the finding moved"
        );
        assert_eq!(before, after, "{fixture}: fingerprints changed");
    }
}

#[test]
fn rustc_json_parses_as_cargo_messages_with_every_span() {
    let report = analyze(&[PathBuf::from("fixtures")]);
    let text = render(&report, Format::RustcJson, false, false);
    assert_eq!(text.lines().count(), report.diagnostics.len());
    let messages: Vec<cargo_metadata::CompilerMessage> =
        cargo_metadata::Message::parse_stream(text.as_bytes())
            .map(|m| match m.unwrap() {
                cargo_metadata::Message::CompilerMessage(m) => m,
                other => panic!("not a compiler message: {other:?}"),
            })
            .collect();
    assert_eq!(messages.len(), report.diagnostics.len());
    for (m, d) in messages.iter().zip(&report.diagnostics) {
        let msg = &m.message;
        assert_eq!(msg.message, d.headline());
        assert_eq!(msg.code.as_ref().unwrap().code, d.code());
        assert!(msg.code.as_ref().unwrap().explanation.is_some());
        let level = match d.severity {
            Severity::Error => cargo_metadata::diagnostic::DiagnosticLevel::Error,
            Severity::Warning => cargo_metadata::diagnostic::DiagnosticLevel::Warning,
        };
        assert_eq!(msg.level, level);
        assert_eq!(msg.spans.len(), d.labels.len());
        let source = report.sources.text(d.file).unwrap();
        for (s, l) in msg.spans.iter().zip(&d.labels) {
            assert_eq!(s.file_name, report.display(l.file));
            assert_eq!(s.is_primary, l.primary);
            assert_eq!(s.label.as_deref(), Some(l.message.as_str()));
            assert_eq!(
                (s.line_start, s.column_start, s.line_end, s.column_end),
                (
                    l.span.start.line as usize,
                    l.span.start.column as usize + 1,
                    l.span.end.line as usize,
                    l.span.end.column as usize + 1
                )
            );
            // Byte offsets and 1-based character columns agree.
            let line = source.lines().nth(s.line_start - 1).unwrap();
            let prefix: String = line.chars().take(s.column_start - 1).collect();
            let line_offset: usize = source
                .lines()
                .take(s.line_start - 1)
                .map(|l| l.len() + 1)
                .sum();
            assert_eq!(s.byte_start as usize, line_offset + prefix.len());
            assert_eq!(s.text[0].text, line);
            assert_eq!(s.text[0].highlight_start, s.column_start);
        }
        let primary = msg.spans.iter().find(|s| s.is_primary).unwrap();
        assert_eq!(primary.line_start, d.span.start.line as usize);
        assert!(msg
            .children
            .iter()
            .any(|c| c.message.contains("cargo spawnlint --explain")));
        assert!(msg.rendered.as_deref().unwrap().contains(d.code()));
    }
}

#[test]
fn rustc_json_replacements_apply_and_fix_the_finding() {
    let fixture = root().join("fixtures/spawn-before-init/route_health_thread.rs");
    let dir = common::tempdir("replace");
    let file = dir.join("route_health_thread.rs");
    std::fs::copy(&fixture, &file).unwrap();
    let report = analyze(std::slice::from_ref(&file));
    let text = render(&report, Format::RustcJson, false, false);
    let message = match cargo_metadata::Message::parse_stream(text.as_bytes())
        .next()
        .unwrap()
        .unwrap()
    {
        cargo_metadata::Message::CompilerMessage(m) => m.message,
        other => panic!("{other:?}"),
    };
    let suggestion = message
        .children
        .iter()
        .find(|c| c.spans.iter().any(|s| s.suggested_replacement.is_some()))
        .expect("the reorder fix is a suggestion");
    // Apply the suggestion the way an editor does: by byte offsets.
    let mut source = std::fs::read_to_string(&file).unwrap();
    let mut spans = suggestion.spans.clone();
    spans.sort_by_key(|s| std::cmp::Reverse(s.byte_start));
    for s in &spans {
        assert_eq!(
            s.suggestion_applicability,
            Some(cargo_metadata::diagnostic::Applicability::MachineApplicable),
            "the reorder crosses nothing the task sees: safe"
        );
        source.replace_range(
            s.byte_start as usize..s.byte_end as usize,
            s.suggested_replacement.as_deref().unwrap(),
        );
    }
    std::fs::write(&file, &source).unwrap();
    let spawn = source.find("thread::spawn(").unwrap();
    let seed = source
        .find("routes.write().unwrap().extend(seed);")
        .unwrap();
    assert!(
        seed < spawn,
        "the spawn moved after the initialization:\n{source}"
    );
    let after = analyze(&[file]);
    assert!(after.parse_failures.is_empty());
    assert!(after.diagnostics.is_empty(), "{:?}", after.diagnostics);
}

#[test]
fn rustc_json_survives_a_vanished_file() {
    let dir = common::tempdir("vanish");
    let file = dir.join("service.rs");
    std::fs::copy(
        root().join("fixtures/spawn-before-load/motivating_service.rs"),
        &file,
    )
    .unwrap();
    let report = analyze(std::slice::from_ref(&file));
    std::fs::remove_file(&file).unwrap();
    for format in [
        Format::RustcJson,
        Format::Sarif,
        Format::Human,
        Format::Github,
    ] {
        let out = render(&report, format, false, false);
        assert!(out.contains("SL002"), "{format:?}: {out}");
    }
    let text = render(&report, Format::RustcJson, false, false);
    assert_eq!(
        cargo_metadata::Message::parse_stream(text.as_bytes()).count(),
        1
    );
}

/// A report with one hand-made diagnostic, for escaping tests.
fn synthetic(file: &str, message: &str) -> Report {
    let span = Span {
        start: Pos { line: 3, column: 4 },
        end: Pos { line: 3, column: 9 },
    };
    let registry = spawnlint::rules::registry();
    let mut report = Report::new(registry);
    let id = report.sources.add(FileEntry::new(
        file.into(),
        file.to_string(),
        PathBuf::new(),
        None,
    ));
    report.files = 1;
    report.diagnostics = vec![Diagnostic {
        rule: registry.find("SL002").unwrap(),
        severity: Severity::Warning,
        confidence: spawnlint::diagnostic::Confidence::High,
        message: message.to_string(),
        file: id,
        span,
        labels: vec![Label {
            file: id,
            span,
            message: "here".into(),
            primary: true,
        }],
        notes: vec!["a note, with: 50% more\nlines".into()],
        fixes: Vec::new(),
        fingerprint: "f".into(),
    }];
    report
}

/// The GitHub runner's side of `@actions/core`'s escaping.
fn unescape(s: &str, property: bool) -> String {
    let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        s = s.replace("%3A", ":").replace("%2C", ",");
    }
    s.replace("%25", "%")
}

/// Split `::name k=v,k=v::data` the way the runner does.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").unwrap();
    let (head, data) = rest.split_once("::").unwrap();
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), unescape(v, true))
        })
        .collect();
    (name.to_string(), props, unescape(data, false))
}

#[test]
fn github_commands_escape_like_actions_core() {
    let file = "src/a,b:c%d.rs";
    let message = "100% sure: it breaks,\r\nreally";
    let out = render(&synthetic(file, message), Format::Github, false, false);
    assert_eq!(out.lines().count(), 1, "one command per finding: {out}");
    let line = out.lines().next().unwrap();
    assert!(line.starts_with(
        "::warning file=src/a%2Cb%3Ac%25d.rs,line=3,endLine=3,col=5,endColumn=10,title=SL002 spawn-before-load::100%25 sure: it breaks,%0D%0Areally"
    ), "{line}");
    assert!(line.contains("a note, with: 50%25 more%0Alines"), "{line}");
    let (name, props, data) = parse_command(line);
    assert_eq!(name, "warning");
    assert_eq!(props[0], ("file".to_string(), file.to_string()));
    assert_eq!(
        props.last().unwrap(),
        &("title".to_string(), "SL002 spawn-before-load".to_string())
    );
    assert!(data.starts_with(message), "{data:?}");
    assert!(data.contains("a note, with: 50% more\nlines"));
}

#[test]
fn github_errors_and_parse_failures() {
    let report = analyze(&[PathBuf::from(
        "fixtures/spawn-before-load/motivating_service.rs",
    )]);
    let out = render(&report, Format::Github, false, false);
    assert!(out.starts_with(
        "::error file=fixtures/spawn-before-load/motivating_service.rs,line=21,endLine=21,col=9,endColumn=21,title=SL002 spawn-before-load::task spawned in"
    ), "{out}");
    let dir = common::tempdir("github");
    std::fs::write(dir.join("broken.rs"), "fn main( {\n").unwrap();
    let out = render(&analyze(&[dir]), Format::Github, false, false);
    let (name, props, _) = parse_command(out.lines().next().unwrap());
    assert_eq!(name, "error");
    assert!(props
        .iter()
        .any(|(k, v)| k == "file" && v.ends_with("broken.rs")));
    assert!(props.iter().any(|(k, v)| k == "line" && v == "1"));
}

#[test]
fn gitlab_code_quality_fields() {
    let report = analyze(&[PathBuf::from("fixtures")]);
    let doc = json(&render(&report, Format::Gitlab, false, false));
    let issues = doc.as_array().unwrap();
    assert_eq!(issues.len(), report.diagnostics.len());
    let mut prints = std::collections::HashSet::new();
    for (i, d) in issues.iter().zip(&report.diagnostics) {
        assert!(i["description"].as_str().unwrap().contains(&d.message));
        assert_eq!(i["check_name"], format!("{} {}", d.code(), d.rule.slug()));
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().unwrap()));
        assert_eq!(i["location"]["path"], report.display(d.file));
        assert!(!report.display(d.file).starts_with('/'));
        assert_eq!(i["location"]["lines"]["begin"], d.span.start.line);
        assert!(prints.insert(i["fingerprint"].as_str().unwrap().to_string()));
    }
    // Two findings with the same line-free fingerprint stay distinct.
    let mut twice = synthetic("a.rs", "m");
    twice.diagnostics.push(twice.diagnostics[0].clone());
    let doc = json(&render(&twice, Format::Gitlab, false, false));
    assert_ne!(doc[0]["fingerprint"], doc[1]["fingerprint"]);
}

#[test]
fn rustc_json_reports_parse_failures_as_errors() {
    let dir = common::tempdir("rustc-json-broken");
    std::fs::write(dir.join("broken.rs"), "fn main() {}\nstruct S { x: }\n").unwrap();
    let text = render(&analyze(&[dir]), Format::RustcJson, false, false);
    let messages: Vec<_> = cargo_metadata::Message::parse_stream(text.as_bytes())
        .map(|m| match m.unwrap() {
            cargo_metadata::Message::CompilerMessage(m) => m.message,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(messages.len(), 1, "{text}");
    let m = &messages[0];
    assert_eq!(m.level, cargo_metadata::diagnostic::DiagnosticLevel::Error);
    assert!(m.message.contains("cannot parse"), "{}", m.message);
    assert_eq!(m.spans[0].line_start, 2);
    assert!(m.spans[0].file_name.ends_with("broken.rs"));
}

#[test]
fn every_format_carries_the_confidence() {
    let fixture = "fixtures/subscribe-in-task/batcher_worker_shutdown_in_task.rs";
    let report = analyze(&[PathBuf::from(fixture)]);
    assert_eq!(report.diagnostics.len(), 1);
    let human = render(&report, Format::Human, false, true);
    assert!(human.contains("(low confidence)"), "{human}");
    let short = render(&report, Format::Short, false, true);
    assert!(short.trim_end().ends_with("(low confidence)"), "{short}");
    let doc = json(&render(&report, Format::Json, false, false));
    assert_eq!(doc["diagnostics"][0]["confidence"], "low");
    let sarif = json(&render(&report, Format::Sarif, false, false));
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["rank"], 30.0);
    assert_eq!(result["level"], "note", "low confidence is a note");
    assert_eq!(result["properties"]["confidence"], "low");
    let github = render(&report, Format::Github, false, false);
    assert!(github.starts_with("::notice "), "{github}");
    let gitlab = json(&render(&report, Format::Gitlab, false, false));
    assert_eq!(gitlab[0]["severity"], "minor");
}
