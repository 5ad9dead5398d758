//! Per-file facts: what the later stages need from one file, extracted
//! from its syntax tree, which is then dropped.
//!
//! Function bodies are kept as a small expression tree ([`Expr`]) that only
//! distinguishes what the analysis cares about (paths, fields, calls,
//! closures, async blocks, awaits, assignments, control flow). Everything
//! else collapses into [`Expr::Other`] with its children, so the tree is
//! several times smaller than syn's and holds no tokens.

pub mod bodies;
pub mod items;
mod lazy;
mod lower;

pub use lazy::LazyBody;

pub use lower::{default_updates_of, extract, extract_lazily};

use crate::source::Span;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Everything extracted from one source file.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// `use` aliases: local name → full path.
    pub uses: HashMap<String, Vec<String>>,
    /// Glob imports (`use tokio::task::*`): the prefixes.
    pub globs: Vec<Vec<String>>,
    /// Structs defined in the file (any module depth).
    pub structs: Vec<StructFacts>,
    /// Free functions and methods.
    pub fns: Vec<FnFacts>,
    /// `static` items (any module depth).
    pub statics: Vec<StaticFacts>,
    /// Names of `macro_rules!` macros whose body starts a task (`spawn!`
    /// wrappers): their first argument is a task.
    pub spawn_macros: Vec<String>,
    /// Item line ranges, `cfg_attr(spawnlint, allow(..))` attributes and
    /// `#[cfg(test)]` modules (filled only for files that mention
    /// `spawnlint` or `cfg(test)`).
    pub items: Items,
}

/// Where items sit in a file, for suppression scopes ([`items::extract`]).
#[derive(Debug, Clone, Default)]
pub struct Items {
    /// Every fn, impl, impl fn, trait and inline mod (attributes included).
    pub ranges: Vec<ItemRange>,
    /// `#[cfg(test)]` items.
    pub test_ranges: Vec<ItemRange>,
    /// `#[cfg_attr(spawnlint, allow(..))]` attributes.
    pub allows: Vec<AllowAttr>,
    /// First line of the first item other than `use`/`extern crate`
    /// (`u32::MAX` when there is none).
    pub first_item_line: u32,
}

/// The lines an item spans, 1-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRange {
    /// First line (its first attribute or doc comment).
    pub start: u32,
    /// Last line (its closing brace).
    pub end: u32,
}

/// A `#[cfg_attr(spawnlint, allow(..))]` attribute.
#[derive(Debug, Clone)]
pub struct AllowAttr {
    /// Line of the attribute.
    pub line: u32,
    /// Rule names as written, underscores turned into dashes.
    pub names: Vec<String>,
    /// The item it covers; `None` for a crate-level `#![..]`.
    pub range: Option<ItemRange>,
}

/// A `static` item: global state a task can read.
#[derive(Debug, Clone)]
pub struct StaticFacts {
    /// The static's name.
    pub name: String,
    /// Its declared type.
    pub ty: TypeInfo,
    /// Its initializer.
    pub init: Expr,
}

/// A struct definition.
#[derive(Debug, Clone)]
pub struct StructFacts {
    /// The struct's name.
    pub name: String,
    /// Named fields with their types (tuple fields are named `0`, `1`, …).
    pub fields: Vec<(String, TypeInfo)>,
}

/// What a type annotation says, reduced to what the analysis needs.
#[derive(Debug, Clone, Default)]
pub struct TypeInfo {
    /// Outer type constructors stripped from the front (`Arc`, `Mutex`, …).
    pub wrappers: Vec<String>,
    /// The innermost named type after stripping wrappers (last segment).
    pub core: Option<String>,
    /// Whether the type is or wraps `Self`.
    pub is_self: bool,
    /// The innermost named type's path as written (`broadcast::Sender`).
    pub path: Vec<String>,
}

impl TypeInfo {
    /// Whether any wrapper shares ownership (`Arc`, `Rc`).
    pub fn is_shared(&self) -> bool {
        self.wrappers.iter().any(|w| w == "Arc" || w == "Rc")
            || matches!(self.core.as_deref(), Some("Arc" | "Rc"))
    }
}

/// How a method takes `self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// An associated function: no `self`.
    None,
    /// `&self`, `self: &Arc<Self>` and friends.
    Ref,
    /// `&mut self`.
    RefMut,
    /// `self`, `self: Arc<Self>`, `mut self`.
    Value,
}

/// One function or method.
#[derive(Debug)]
pub struct FnFacts {
    /// Its name.
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// Span of the whole item, from `fn` (or visibility) to the closing brace.
    pub item_span: Span,
    /// For methods: the implementing type (last path segment).
    pub owner: Option<String>,
    /// For trait impls: the trait's last segment (`Default`, `Drop`, …).
    pub trait_name: Option<String>,
    /// How `self` is taken.
    pub receiver: Receiver,
    /// Parameters other than `self` and the return type, once lowered
    /// ([`FnFacts::params`], [`FnFacts::ret`]).
    sig: OnceLock<SigFacts>,
    /// `async fn`.
    pub is_async: bool,
    /// Inline module path inside the file.
    pub module: Vec<String>,
    /// The body, once lowered ([`FnFacts::body`]).
    body: OnceLock<Block>,
    /// Where the body is, when the parse stage left it unparsed.
    lazy: Option<Box<LazyBody>>,
    /// The body may hold a `..Default::default()` struct update
    /// ([`default_updates_of`] says which).
    pub may_update: bool,
    /// Compiled only for tests: under `#[cfg(test)]` (itself, its `impl`
    /// block or an inline module around it).
    pub test_only: bool,
    /// Everything the body calls, by name, sorted and deduplicated: the
    /// call graph as far as syntax tells it (for a lazy body, as the
    /// body index read it: [`bodies`]).
    pub callees: Vec<Callee>,
}

/// A call as written: which function it can name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Callee {
    /// `x.name(..)`: any method of that name.
    Method(String),
    /// `Type::name(..)` (`Self` already replaced by the impl's type).
    Assoc(String, String),
    /// `name(..)`, `module::name(..)`, `name!(..)`: a free function (or macro).
    Free(String),
}

impl Callee {
    /// The called name.
    pub fn name(&self) -> &str {
        match self {
            Callee::Method(n) | Callee::Assoc(_, n) | Callee::Free(n) => n,
        }
    }
}

/// The parts of a signature read only by the functions the analysis
/// follows: parameters other than `self`, and the return type.
#[derive(Debug, Clone, Default)]
pub(crate) struct SigFacts {
    pub(crate) params: Vec<Param>,
    pub(crate) ret: Option<TypeInfo>,
}

/// A function parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// The pattern it binds.
    pub pat: Pat,
    /// Its type.
    pub ty: TypeInfo,
}

/// A block of statements.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// The statements, in order.
    pub stmts: Vec<Stmt>,
    /// The block's span.
    pub span: Span,
}

/// A statement.
#[derive(Debug, Clone)]
pub enum Stmt {
    /// `let pat (: ty)? = init else { … };`
    Let {
        /// The pattern.
        pat: Pat,
        /// Declared type, if any.
        ty: Option<TypeInfo>,
        /// The initializer.
        init: Option<Expr>,
        /// `let … else` block.
        diverge: Option<Block>,
        /// The whole statement.
        span: Span,
    },
    /// An expression statement (with or without semicolon).
    Expr(Expr),
}

/// A pattern, reduced.
#[derive(Debug, Clone)]
pub enum Pat {
    /// `x`, `mut x`, `ref x`.
    Ident {
        /// The bound name.
        name: String,
        /// `mut`.
        mutable: bool,
    },
    /// `Some(x)`, `Ok(v)`, `Foo { a, b }` — a refutable or destructuring form.
    Destructure {
        /// Last path segment (`Some`, `Ok`, `Foo`).
        path: String,
        /// Sub-patterns.
        elems: Vec<Pat>,
    },
    /// `(a, b)`.
    Tuple(Vec<Pat>),
    /// `_`, literals, ranges, everything else.
    Other,
}

impl Pat {
    /// Every name the pattern binds.
    pub fn bindings(&self, out: &mut Vec<String>) {
        match self {
            Pat::Ident { name, .. } => out.push(name.clone()),
            Pat::Destructure { elems, .. } | Pat::Tuple(elems) => {
                elems.iter().for_each(|e| e.bindings(out))
            }
            Pat::Other => {}
        }
    }
}

/// A match arm.
#[derive(Debug, Clone)]
pub struct Arm {
    /// The arm's pattern.
    pub pat: Pat,
    /// Its body (the guard, if any, is folded in front as a block).
    pub body: Expr,
}

/// Literal kinds the analysis distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LitKind {
    /// `0`, `0.0`, `false`, `""`: a zero value.
    Zero,
    /// Any other literal.
    Value,
}

/// An expression, reduced.
#[derive(Debug, Clone)]
pub enum Expr {
    /// `x`, `Self::new`, `tokio::spawn`, `None`.
    Path {
        /// Segments.
        segs: Vec<String>,
        /// Span.
        span: Span,
    },
    /// A literal.
    Lit(LitKind),
    /// `base.name`.
    Field {
        /// Base.
        base: Box<Expr>,
        /// Field name.
        name: String,
        /// Whole expression.
        span: Span,
    },
    /// `base[index]`.
    Index {
        /// Base.
        base: Box<Expr>,
        /// Index.
        index: Box<Expr>,
        /// Whole expression.
        span: Span,
    },
    /// `recv.method(args)`.
    MethodCall {
        /// Receiver.
        recv: Box<Expr>,
        /// Method name.
        method: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Whole expression.
        span: Span,
        /// The method name token.
        method_span: Span,
    },
    /// `func(args)`.
    Call {
        /// Callee.
        func: Box<Expr>,
        /// Arguments.
        args: Vec<Expr>,
        /// Whole expression.
        span: Span,
    },
    /// `Path { field: value, ..rest }`.
    Struct {
        /// Last segment of the path (`Self`, `Inner`).
        name: String,
        /// Field initializers (shorthand `a` becomes `a: a`).
        fields: Vec<(String, Expr)>,
        /// `..rest`.
        rest: Option<Box<Expr>>,
        /// Whole expression.
        span: Span,
    },
    /// `move |params| body`.
    Closure {
        /// `move`.
        is_move: bool,
        /// Parameters.
        params: Vec<Pat>,
        /// Body.
        body: Box<Expr>,
        /// Whole closure.
        span: Span,
    },
    /// `async move { … }`.
    Async {
        /// `move`.
        is_move: bool,
        /// Body.
        body: Block,
        /// Whole block.
        span: Span,
    },
    /// `{ … }`, `unsafe { … }`.
    Block(Block),
    /// `if cond { then } else { els }` (`cond` may be [`Expr::Let`]).
    If {
        /// Condition.
        cond: Box<Expr>,
        /// Then branch.
        then: Block,
        /// Else branch.
        els: Option<Box<Expr>>,
    },
    /// `let pat = expr` inside a condition.
    Let {
        /// Pattern.
        pat: Pat,
        /// Scrutinee.
        expr: Box<Expr>,
    },
    /// `match scrutinee { arms }`.
    Match {
        /// Scrutinee.
        scrutinee: Box<Expr>,
        /// Arms.
        arms: Vec<Arm>,
    },
    /// `while cond { body }` (`cond` may be [`Expr::Let`]).
    While {
        /// Condition.
        cond: Box<Expr>,
        /// Body.
        body: Block,
    },
    /// `loop { body }`.
    Loop {
        /// Body.
        body: Block,
    },
    /// `for pat in iter { body }`.
    For {
        /// Pattern.
        pat: Pat,
        /// Iterated expression.
        iter: Box<Expr>,
        /// Body.
        body: Block,
    },
    /// `base.await`.
    Await {
        /// Awaited future.
        base: Box<Expr>,
        /// Whole expression.
        span: Span,
    },
    /// `base?`.
    Try {
        /// Base.
        base: Box<Expr>,
    },
    /// `*base`.
    Deref {
        /// Base.
        base: Box<Expr>,
    },
    /// `!base` and `-base`.
    Not {
        /// Base.
        base: Box<Expr>,
    },
    /// `&base`, `&mut base`.
    Ref {
        /// Base.
        base: Box<Expr>,
    },
    /// `lhs = rhs` and `lhs op= rhs`.
    Assign {
        /// Target.
        lhs: Box<Expr>,
        /// Value.
        rhs: Box<Expr>,
        /// Whole expression.
        span: Span,
        /// `op=` rather than `=`.
        compound: bool,
    },
    /// A macro call whose arguments parsed as expressions or statements.
    Macro {
        /// Last segment of the macro path.
        name: String,
        /// Parsed arguments.
        args: Vec<Expr>,
        /// Whole invocation.
        span: Span,
    },
    /// `return`, `break`, `continue` with optional value.
    Jump {
        /// Value.
        value: Option<Box<Expr>>,
        /// The keyword.
        span: Span,
    },
    /// Anything else: binary operators, tuples, arrays, casts, ranges.
    Other(Vec<Expr>),
}

impl Expr {
    /// The expression's span when it carries one.
    pub fn span(&self) -> Option<Span> {
        match self {
            Expr::Path { span, .. }
            | Expr::Field { span, .. }
            | Expr::Index { span, .. }
            | Expr::MethodCall { span, .. }
            | Expr::Call { span, .. }
            | Expr::Struct { span, .. }
            | Expr::Closure { span, .. }
            | Expr::Async { span, .. }
            | Expr::Await { span, .. }
            | Expr::Assign { span, .. }
            | Expr::Macro { span, .. }
            | Expr::Jump { span, .. } => Some(*span),
            Expr::Block(b) => Some(b.span),
            Expr::Try { base } | Expr::Deref { base } | Expr::Ref { base } | Expr::Not { base } => {
                base.span()
            }
            _ => None,
        }
    }

    /// The single identifier this expression names, if it is one.
    pub fn as_ident(&self) -> Option<&str> {
        match self {
            Expr::Path { segs, .. } if segs.len() == 1 => Some(&segs[0]),
            Expr::Ref { base } => base.as_ident(),
            _ => None,
        }
    }

    /// Visit direct children.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        fn block<'a>(b: &'a Block, f: &mut dyn FnMut(&'a Expr)) {
            for s in &b.stmts {
                match s {
                    Stmt::Let { init, diverge, .. } => {
                        if let Some(i) = init {
                            f(i);
                        }
                        if let Some(d) = diverge {
                            block(d, f);
                        }
                    }
                    Stmt::Expr(e) => f(e),
                }
            }
        }
        let f: &mut dyn FnMut(&'a Expr) = &mut f;
        match self {
            Expr::Path { .. } | Expr::Lit(_) => {}
            Expr::Field { base, .. }
            | Expr::Await { base, .. }
            | Expr::Try { base }
            | Expr::Deref { base }
            | Expr::Not { base }
            | Expr::Ref { base } => f(base),
            Expr::Index { base, index, .. } => {
                f(base);
                f(index)
            }
            Expr::MethodCall { recv, args, .. } => {
                f(recv);
                args.iter().for_each(&mut *f)
            }
            Expr::Call { func, args, .. } => {
                f(func);
                args.iter().for_each(&mut *f)
            }
            Expr::Struct { fields, rest, .. } => {
                fields.iter().for_each(|(_, e)| f(e));
                if let Some(r) = rest {
                    f(r)
                }
            }
            Expr::Closure { body, .. } => f(body),
            Expr::Async { body, .. } | Expr::Block(body) | Expr::Loop { body } => block(body, f),
            Expr::If { cond, then, els } => {
                f(cond);
                block(then, f);
                if let Some(e) = els {
                    f(e)
                }
            }
            Expr::Let { expr, .. } => f(expr),
            Expr::Match { scrutinee, arms } => {
                f(scrutinee);
                arms.iter().for_each(|a| f(&a.body))
            }
            Expr::While { cond, body } => {
                f(cond);
                block(body, f)
            }
            Expr::For { iter, body, .. } => {
                f(iter);
                block(body, f)
            }
            Expr::Assign { lhs, rhs, .. } => {
                f(lhs);
                f(rhs)
            }
            Expr::Macro { args, .. } | Expr::Other(args) => args.iter().for_each(&mut *f),
            Expr::Jump { value, .. } => {
                if let Some(v) = value {
                    f(v)
                }
            }
        }
    }

    /// Collect the calls inside. `owner` replaces `Self`; `uses` maps an
    /// imported name to its path, so `use x::start as go; go()` calls
    /// `start`.
    pub fn callees(
        &self,
        owner: Option<&str>,
        uses: &HashMap<String, Vec<String>>,
        out: &mut Vec<Callee>,
    ) {
        match self {
            Expr::MethodCall { method, .. } => out.push(Callee::Method(method.clone())),
            Expr::Call { func, .. } => {
                if let Expr::Path { segs, .. } = &**func {
                    if let Some((name, head)) = segs.split_last() {
                        path_callee(head.last().map(String::as_str), name, owner, uses, out);
                    }
                }
            }
            Expr::Macro { name, .. } => out.push(Callee::Free(name.clone())),
            _ => {}
        }
        self.for_each_child(|c| c.callees(owner, uses, out));
    }

    /// Whether this expression or any inside it satisfies `pred`.
    pub fn any(&self, pred: &dyn Fn(&Expr) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        let mut found = false;
        self.for_each_child(|c| found = found || c.any(pred));
        found
    }

    /// Whether any identifier named `name` occurs anywhere inside.
    pub fn mentions(&self, name: &str) -> bool {
        if let Expr::Path { segs, .. } = self {
            if segs.len() == 1 && segs[0] == name {
                return true;
            }
        }
        let mut found = false;
        self.for_each_child(|c| {
            if !found && c.mentions(name) {
                found = true;
            }
        });
        found
    }
}

/// The callee a call of the path `[.., qualifier, name]` names: `Self::f`
/// a function of the impl's type, `Type::f` (capitalized) one of `Type`,
/// anything else a free function — through its `use` alias too.
pub(crate) fn path_callee(
    qualifier: Option<&str>,
    name: &String,
    owner: Option<&str>,
    uses: &HashMap<String, Vec<String>>,
    out: &mut Vec<Callee>,
) {
    match qualifier {
        None => {
            out.push(Callee::Free(name.clone()));
            if let Some(last) = uses.get(name).and_then(|p| p.last()) {
                if last != name {
                    out.push(Callee::Free(last.clone()));
                }
            }
        }
        Some("Self") => {
            if let Some(o) = owner {
                out.push(Callee::Assoc(o.to_string(), name.clone()));
            }
        }
        Some(q) if q.starts_with(|c: char| c.is_uppercase()) => {
            out.push(Callee::Assoc(q.to_string(), name.clone()))
        }
        Some(_) => out.push(Callee::Free(name.clone())),
    }
}

impl Expr {
    /// Whether `name` occurs free inside: used before anything inside
    /// binds it (a `let`, a closure parameter, a `for` pattern). A task
    /// that shadows a name of its spawner before using it does not
    /// capture it.
    pub fn mentions_free(&self, name: &str) -> bool {
        match self {
            Expr::Path { segs, .. } => segs.len() == 1 && segs[0] == name,
            Expr::Async { body, .. } | Expr::Block(body) | Expr::Loop { body } => {
                body.mentions_free(name)
            }
            Expr::If { cond, then, els } => {
                cond.mentions_free(name)
                    || then.mentions_free(name)
                    || els.as_ref().is_some_and(|e| e.mentions_free(name))
            }
            Expr::While { cond, body } => cond.mentions_free(name) || body.mentions_free(name),
            Expr::For { pat, iter, body } => {
                iter.mentions_free(name) || (!pat.binds(name) && body.mentions_free(name))
            }
            Expr::Closure { params, body, .. } => {
                !params.iter().any(|p| p.binds(name)) && body.mentions_free(name)
            }
            _ => {
                let mut found = false;
                self.for_each_child(|c| {
                    if !found && c.mentions_free(name) {
                        found = true;
                    }
                });
                found
            }
        }
    }
}

impl Pat {
    /// Whether the pattern binds `name`.
    pub fn binds(&self, name: &str) -> bool {
        match self {
            Pat::Ident { name: n, .. } => n == name,
            Pat::Destructure { elems, .. } | Pat::Tuple(elems) => {
                elems.iter().any(|p| p.binds(name))
            }
            Pat::Other => false,
        }
    }
}

impl Block {
    /// Whether `name` occurs free in the block: before a `let` of the block
    /// binds it.
    pub fn mentions_free(&self, name: &str) -> bool {
        for s in &self.stmts {
            match s {
                Stmt::Let {
                    pat, init, diverge, ..
                } => {
                    if init.as_ref().is_some_and(|i| i.mentions_free(name))
                        || diverge.as_ref().is_some_and(|d| d.mentions_free(name))
                    {
                        return true;
                    }
                    if pat.binds(name) {
                        return false;
                    }
                }
                Stmt::Expr(e) => {
                    if e.mentions_free(name) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Whether any identifier named `name` occurs in the block.
    pub fn mentions(&self, name: &str) -> bool {
        self.stmts.iter().any(|s| match s {
            Stmt::Let { init, diverge, .. } => {
                init.as_ref().is_some_and(|i| i.mentions(name))
                    || diverge.as_ref().is_some_and(|d| d.mentions(name))
            }
            Stmt::Expr(e) => e.mentions(name),
        })
    }
}
