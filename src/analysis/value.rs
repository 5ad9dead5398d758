//! The interpreter's abstract values: what an expression evaluates to, as
//! far as the analysis cares.

use super::trace::{Key, Root};
use crate::facts::{Block, Expr, Pat};
use crate::model::{FnRef, TypeRef};
use crate::source::{FileId, Loc};
use std::rc::Rc;

/// How a value refers to its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum RefMode {
    /// The state itself (or a guard of it).
    Handle,
    /// Just locked: the next `unwrap` is lock poisoning, not absence.
    Locked,
    /// An `Option` looked up in it (`get(k)`, `first()`).
    Lookup,
}

/// A reference to state.
#[derive(Clone, Debug)]
pub(super) struct SRef {
    pub key: Key,
    pub mode: RefMode,
}

impl SRef {
    pub fn handle(key: Key) -> SRef {
        SRef {
            key,
            mode: RefMode::Handle,
        }
    }

    pub fn with_mode(key: Key, mode: RefMode) -> SRef {
        SRef { key, mode }
    }
}

/// An abstract value.
#[derive(Clone)]
pub(super) enum Val<'m> {
    /// Nothing the analysis follows.
    Unknown,
    /// A handle to state.
    State(SRef),
    /// A body that runs later: a closure, an async block, an async call.
    Thunk(Rc<Thunk<'m>>),
    /// A message a task received from a channel.
    Message,
    /// The handle of spawn number `n`.
    Join(usize),
    /// The literal `None` given as an argument to a crate function: only
    /// between a call's arguments and the callee's parameters, where it
    /// becomes [`Binding::none`] (anywhere else it is `Unknown`).
    NoneArg,
}

impl<'m> Val<'m> {
    /// A handle to `key`.
    pub fn state(key: Key) -> Val<'m> {
        Val::State(SRef::handle(key))
    }

    /// A handle to a whole instance of `ty`.
    pub fn instance(ty: TypeRef) -> Val<'m> {
        Val::state(Key::root(Root::Type(ty)))
    }

    /// The local this value is, if it is a whole local.
    pub fn local_id(&self) -> Option<u32> {
        match self {
            Val::State(r) => r.key.as_local(),
            _ => None,
        }
    }

    /// What a name bound by destructuring this value is: a part of a
    /// message is still the message; anything else is not followed.
    pub fn part(&self) -> Val<'m> {
        match self {
            Val::Message => Val::Message,
            _ => Val::Unknown,
        }
    }
}

/// What a [`Thunk`] runs.
pub(super) enum ThunkKind<'m> {
    /// `|params| body`.
    Closure(&'m [Pat], &'m Expr),
    /// `async { body }`.
    Async(&'m Block),
    /// A call of an `async fn` with its receiver and arguments.
    Call(FnRef, Option<Val<'m>>, Vec<Val<'m>>),
}

/// A deferred body with the environment it closes over.
pub(super) struct Thunk<'m> {
    pub kind: ThunkKind<'m>,
    pub env: Vec<Binding<'m>>,
    pub file: FileId,
    pub owner: Option<TypeRef>,
}

/// A name in scope, its value, and the `let` that bound it.
#[derive(Clone)]
pub(super) struct Binding<'m> {
    pub name: String,
    pub val: Val<'m>,
    pub decl: Option<Loc>,
    /// Whether the `let` made a handle of its own (a clone, a new `Arc`,
    /// a channel end), as opposed to copying a value.
    pub makes_handle: bool,
    /// Whether it holds a lock guard (`let g = m.lock().unwrap()`), until
    /// it goes out of scope or is dropped.
    pub guard: bool,
    /// For a guard: how many events the constructor's timeline held when
    /// it was taken (a write through it is ordered before any task that
    /// locks the same mutex and was spawned after that).
    pub bound_at: usize,
    /// Whether it is a parameter of the function being run.
    pub param: bool,
    /// Whether it is known to hold `None`: a parameter given the literal
    /// `None` and never assigned since (`if let Some(a) = it` is not taken).
    pub none: bool,
}

impl<'m> Binding<'m> {
    pub fn new(name: impl Into<String>, val: Val<'m>) -> Self {
        Binding {
            name: name.into(),
            val,
            decl: None,
            makes_handle: false,
            guard: false,
            bound_at: 0,
            param: false,
            none: false,
        }
    }
}

/// Whether condition `cond` cannot hold in `env`: a `let Some(..) = name`
/// in it (alone or in a `&&` chain) on a binding known to be `None`.
pub(super) fn refuted(cond: &crate::facts::Expr, env: &[Binding<'_>]) -> bool {
    use crate::facts::{Expr, Pat};
    match cond {
        Expr::Let {
            pat: Pat::Destructure { path, .. },
            expr,
        } if path == "Some" => {
            matches!(**expr, Expr::Path { .. })
                && expr.as_ident().is_some_and(|n| {
                    env.iter()
                        .rev()
                        .find(|b| b.name == n)
                        .is_some_and(|b| b.none)
                })
        }
        // A let chain is lowered with its operands side by side.
        Expr::Other(parts) => parts
            .iter()
            .any(|p| matches!(p, Expr::Let { .. } | Expr::Other(_)) && refuted(p, env)),
        _ => false,
    }
}
