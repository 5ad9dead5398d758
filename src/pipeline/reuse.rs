//! The cache's part in a run: which crates it answers for.

use super::Configured;
use crate::cache;
use crate::source::{FileId, SourceDb};
use crate::Options;

/// The cache's plan for this run, unless the run does not use the cache
/// (none configured, standard input, an overlay, `--explain-site`).
pub(super) fn cache_plan<'o>(
    opts: &'o Options,
    configured: &Configured,
    sources: &SourceDb,
) -> Option<(&'o cache::Settings, cache::Plan)> {
    let settings = opts.cache.as_ref()?;
    if opts.stdin.is_some() || !opts.overlay.is_empty() || opts.explain_site.is_some() {
        return None;
    }
    let described: Vec<String> = configured
        .configs
        .iter()
        .map(|c| {
            format!(
                "{}\nselect {:?} ignore {:?} exhaustive {} check-syntax {}",
                c.describe(&opts.root),
                opts.select,
                opts.ignore,
                opts.exhaustive,
                opts.check_syntax
            )
        })
        .collect();
    let files = configured.files.iter().enumerate();
    let files = files.map(|(i, (input, group))| cache::FileInput {
        id: i as FileId,
        crate_root: &input.crate_root,
        path: &input.path,
        text: sources.text(i as FileId),
        settings: &described[*group],
    });
    Some((settings, cache::Plan::new(settings, files.collect())))
}
