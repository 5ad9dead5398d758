//! `--show-settings`: a configuration as the run uses it, in the keys of
//! the configuration file.

use super::{Config, Level};
use crate::source::display_path;
use std::path::Path;

impl Config {
    /// The effective settings, one `key = value` line each, in the
    /// configuration file's spelling; `root` is where paths are shown from.
    pub fn describe(&self, root: &Path) -> String {
        let codes = |ids: &[crate::rule::RuleId]| -> String {
            let names: Vec<String> = ids.iter().map(|id| format!("\"{}\"", id.code())).collect();
            format!("[{}]", names.join(", "))
        };
        let quoted = |v: &[String]| -> String {
            let q: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
            format!("[{}]", q.join(", "))
        };
        let mut out = String::new();
        let file = match &self.path {
            Some(p) => display_path(p, root),
            None => "(built-in defaults)".to_string(),
        };
        out.push_str(&format!("# from {file}\n"));
        let select = if self.select.is_empty() {
            "[\"ALL\"]".to_string()
        } else {
            codes(&self.select)
        };
        out.push_str(&format!("select = {select}\n"));
        out.push_str(&format!("ignore = {}\n", codes(&self.ignore)));
        let mut sev: Vec<(String, &Level)> = self
            .severity
            .iter()
            .map(|(id, l)| (id.code().to_string(), l))
            .collect();
        sev.sort_by(|a, b| a.0.cmp(&b.0));
        let sev: Vec<String> = sev
            .iter()
            .map(|(c, l)| {
                let l = match l {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Off => "off",
                };
                format!("{c} = \"{l}\"")
            })
            .collect();
        out.push_str(&format!("severity = {{ {} }}\n", sev.join(", ")));
        out.push_str(&format!(
            "min-confidence = \"{}\"\n",
            self.min_confidence.as_str()
        ));
        out.push_str(&format!("include-tests = {}\n", self.include_tests));
        out.push_str(&format!(
            "exclude = {}  # relative to {}\n",
            quoted(&self.exclude_patterns),
            {
                let d = display_path(&self.base, root);
                if d.is_empty() {
                    ".".to_string()
                } else {
                    d
                }
            }
        ));
        let ext = &self.extension;
        let spawners: Vec<String> = ext
            .functions
            .iter()
            .map(|f| f.path.clone())
            .chain(ext.methods.iter().map(|m| format!(".{}", m.name)))
            .collect();
        out.push_str(&format!("extend-spawners = {}\n", quoted(&spawners)));
        let loads: Vec<String> = ext
            .load_names
            .iter()
            .cloned()
            .chain(ext.load_prefixes.iter().map(|p| format!("{p}*")))
            .collect();
        out.push_str(&format!("extend-load-methods = {}\n", quoted(&loads)));
        out.push_str(&format!("extend-gates = {}\n", quoted(&ext.gate_methods)));
        for (table, names) in &ext.semantics {
            out.push_str(&format!("extend-semantics.{table} = {}\n", quoted(names)));
        }
        out
    }
}
