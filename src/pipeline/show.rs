//! `--show-files` and `--show-settings`: what a run would analyze and
//! with which configuration, from the first two stages alone.

use super::{configure, discover};
use crate::discover::Problem;
use crate::rules;
use crate::source::display_path;
use crate::{Error, Options};

/// A file a run would analyze: its display path and its crate's directory.
pub type ShownFile = (String, String);

/// `--show-files`: the files a run would analyze — discovered, then
/// filtered by each crate's configuration (`exclude`, test files) — with
/// the crate directory each belongs to, and what could not be used.
pub fn files(opts: &Options) -> Result<(Vec<ShownFile>, Vec<Problem>), Error> {
    let registry = rules::registry();
    let found = discover(opts)?;
    let configured = configure(&found.inputs, opts, registry)?;
    let files = configured
        .files
        .iter()
        .map(|(input, _)| {
            (
                display_path(&input.path, &opts.root),
                display_path(&input.crate_root, &opts.root),
            )
        })
        .collect();
    Ok((files, found.problems))
}

/// `--show-settings`: each configuration the run would use, described
/// ([`Config::describe`]), with the crate directories that use it.
pub fn settings(opts: &Options) -> Result<Vec<(Vec<String>, String)>, Error> {
    let registry = rules::registry();
    let found = discover(opts)?;
    let configured = configure(&found.inputs, opts, registry)?;
    let mut out: Vec<(Vec<String>, String)> = configured
        .configs
        .iter()
        .map(|c| (Vec::new(), c.describe(&opts.root)))
        .collect();
    for (input, group) in &configured.files {
        let krate = display_path(&input.crate_root, &opts.root);
        let krate = if krate.is_empty() {
            ".".to_string()
        } else {
            krate
        };
        if !out[*group].0.contains(&krate) {
            out[*group].0.push(krate);
        }
    }
    Ok(out)
}
