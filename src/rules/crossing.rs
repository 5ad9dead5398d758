//! What a reorder's crossed code may touch, from the model: the
//! function's bounded parameters, the catalog's spawners and scopes, and
//! the bodies of the same-crate functions the crossed code calls
//! ([`fixes::Crossing`]).

use std::cell::RefCell;
use std::collections::HashMap;

use super::Context;
use crate::analysis::trace::{CtorTrace, Event};
use crate::facts::Receiver;
use crate::fixes::{self, Call, Crossing};
use crate::model::FnRef;
use crate::source::Loc;

/// How many calls deep a callee's body is read; deeper is taken to wait.
const CALLEE_DEPTH: u32 = 3;

/// The model's part of a [`Crossing`] for code in one function.
pub struct CrossingFacts {
    bounded: Vec<String>,
    spawners: Vec<String>,
    scopes: Vec<String>,
}

impl CrossingFacts {
    /// For code in `func` (`None`: a function the model does not know).
    pub fn of(cx: &Context, func: Option<FnRef>) -> CrossingFacts {
        let item = func.and_then(|f| {
            cx.slice(Loc {
                file: f.file,
                span: cx.model.func(f).item_span,
            })
        });
        let last = |p: &str| p.rsplit("::").next().unwrap_or(p).to_string();
        CrossingFacts {
            bounded: item.map(|t| fixes::bounded_params(&t)).unwrap_or_default(),
            spawners: cx
                .catalog
                .functions
                .iter()
                .map(|f| last(&f.path))
                .chain(cx.catalog.methods.iter().map(|m| m.name.clone()))
                .collect(),
            scopes: cx.catalog.scoped.iter().map(|p| last(p)).collect(),
        }
    }

    /// The [`Crossing`] for a move whose task takes `captures`, reading
    /// callees with `callee_waits`.
    pub fn crossing<'a>(
        &'a self,
        captures: &'a [String],
        callee_waits: &'a dyn Fn(Call) -> bool,
    ) -> Crossing<'a> {
        Crossing {
            captures,
            bounded: &self.bounded,
            callee_waits: Some(callee_waits),
            spawners: &self.spawners,
            scopes: &self.scopes,
        }
    }
}

/// Whether the function a call in `from` names may wait for another task
/// or loop without a bound: any same-crate function it can be whose body
/// does ([`fixes::body_may_wait`]), reading its own callees the same way
/// up to [`CALLEE_DEPTH`] calls deep. A method call (`x.write()`) is a
/// crate method only when the interpreter ran one of that name from the
/// analyzed function (`ran`): a receiver's type is the interpreter's to
/// know, and a name alone would take `RwLock::write` for any crate method
/// `write`. A call no function of the crate can answer is a library's,
/// read as not waiting (a library method that waits, `recv`, is caught by
/// its name).
pub fn callee_waits(cx: &Context, from: FnRef, ran: &[FnRef], call: Call) -> bool {
    let memo = RefCell::new(HashMap::new());
    let look = Look { cx, ran, memo };
    look.waits_within(from, call, CALLEE_DEPTH)
}

/// The functions a method call in a constructor's code can be: those the
/// interpreter ran from it.
pub fn ran(trace: &CtorTrace) -> Vec<FnRef> {
    let mut ran: Vec<FnRef> = trace
        .timeline
        .iter()
        .filter_map(|e| match e {
            Event::Called(f) => Some(*f),
            _ => None,
        })
        .collect();
    ran.sort_unstable();
    ran.dedup();
    ran
}

/// One [`callee_waits`] question: what the interpreter ran, and each
/// call's answer so far (one read at less depth only answers "waits" more
/// often).
struct Look<'c, 'r> {
    cx: &'c Context<'c>,
    ran: &'r [FnRef],
    memo: RefCell<HashMap<String, bool>>,
}

impl Look<'_, '_> {
    /// [`callee_waits`] with `depth` calls left to read.
    fn waits_within(&self, from: FnRef, call: Call, depth: u32) -> bool {
        let key = format!("{from:?}{call:?}");
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        let waits = self.reads_as_waiting(from, call, depth);
        self.memo.borrow_mut().insert(key, waits);
        waits
    }

    fn reads_as_waiting(&self, from: FnRef, call: Call, depth: u32) -> bool {
        let cx = self.cx;
        let krate = cx.model.crate_of(from.file);
        let candidates: Vec<FnRef> = match call {
            Call::Method(_) => self.ran.to_vec(),
            _ => cx
                .model
                .all_fns()
                .filter(|f| cx.model.crate_of(f.file) == krate)
                .collect(),
        };
        let mut named = candidates
            .into_iter()
            .filter(|f| can_be(cx, from, call, *f))
            .peekable();
        if named.peek().is_none() {
            return false;
        }
        if depth == 0 {
            return true;
        }
        named.any(|f| {
            let Some(item) = cx.slice(Loc {
                file: f.file,
                span: cx.model.func(f).item_span,
            }) else {
                return true;
            };
            let facts = CrossingFacts::of(cx, Some(f));
            let inner = |c: Call| self.waits_within(f, c, depth - 1);
            fixes::body_may_wait(&item, facts.crossing(&[], &inner))
        })
    }
}

/// Whether function `f` can be what `call`, written in `from`, calls.
fn can_be(cx: &Context, from: FnRef, call: Call, f: FnRef) -> bool {
    let facts = cx.model.func(f);
    match call {
        Call::Method(name) => facts.name == name && facts.receiver != Receiver::None,
        Call::Free(name) => facts.name == name && facts.owner.is_none(),
        Call::Path(q, name) => {
            let q = match q {
                Some("Self") => cx.model.func(from).owner.as_deref(),
                q => q,
            };
            facts.name == name
                && match q {
                    None => true,
                    Some(q) => {
                        facts.owner.as_deref() == Some(q)
                            || (facts.owner.is_none()
                                && facts.module.last().map(String::as_str) == Some(q))
                    }
                }
        }
    }
}
