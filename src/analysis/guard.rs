//! Analyses that did not finish: a panic inside one function's analysis is
//! caught and recorded, so one odd function costs its own findings, not
//! the run; and an analysis stopped by the step budget is recorded, so
//! findings it may have missed are never missing silently.

use crate::model::FnRef;
use std::sync::Mutex;

/// Why an analysis did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CutReason {
    /// It ran out of its step budget (`interp::STEP_BUDGET`).
    Budget,
    /// It panicked, with this message: a bug of ours.
    Panic(String),
}

/// One function whose analysis did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The function analyzed.
    pub function: FnRef,
    /// What stopped it.
    pub reason: CutReason,
}

/// Collects cuts from analyses running in parallel.
#[derive(Default)]
pub struct Cuts(Mutex<Vec<Cut>>);

impl Cuts {
    /// Record that the analysis of `function` ran out of steps.
    pub fn budget(&self, function: FnRef) {
        self.push(Cut {
            function,
            reason: CutReason::Budget,
        });
    }

    /// Run the analysis of `function`; a panic becomes a recorded cut and
    /// `None`.
    pub fn run<T>(&self, function: FnRef, analysis: impl FnOnce() -> T) -> Option<T> {
        match crate::isolate::catch(analysis) {
            Ok(t) => Some(t),
            Err(message) => {
                self.push(Cut {
                    function,
                    reason: CutReason::Panic(message),
                });
                None
            }
        }
    }

    fn push(&self, cut: Cut) {
        // A poisoned lock only means another analysis panicked while
        // pushing; the vector itself is intact.
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(cut);
    }

    /// Every cut, in a stable order (the order analyses finish in is not).
    pub fn into_sorted(self) -> Vec<Cut> {
        let mut cuts = self.0.into_inner().unwrap_or_else(|p| p.into_inner());
        cuts.sort_by(|a, b| {
            (a.function.file, a.function.index, reason_rank(&a.reason)).cmp(&(
                b.function.file,
                b.function.index,
                reason_rank(&b.reason),
            ))
        });
        cuts.dedup();
        cuts
    }
}

fn reason_rank(r: &CutReason) -> u8 {
    match r {
        CutReason::Budget => 0,
        CutReason::Panic(_) => 1,
    }
}
