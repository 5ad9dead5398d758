//! Child processes started before the listener they report to (SL001 for
//! processes): a function hands a child process an address or socket path
//! (`Command::new(..).env("NOTIFY", &socket_path).spawn()`) and only after
//! the spawn binds a listener there (`UnixListener::bind(&socket_path)`).
//! A child that starts fast connects before anything listens, and its
//! start-up report fails.
//!
//! A statement-order pass over the function's body, async blocks included
//! (they run later still): names the `Command` chain mentions in its
//! `arg`/`args`/`env`/`envs` calls, then a `…Listener::bind` or
//! `…Socket::bind` after the spawn whose argument mentions one of them.

use crate::facts::{Callee, Expr, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// A child told to connect where nothing listens yet.
#[derive(Debug, Clone)]
pub struct ChildBeforeListener {
    /// The function.
    pub function: FnRef,
    /// The `.spawn()` of the `Command`.
    pub spawn: Loc,
    /// The `bind` after it.
    pub bind: Loc,
    /// The address both name (`socket_path`).
    pub address: String,
}

/// The prefilter: `f` spawns something and binds something.
pub fn may_apply(model: &Model, f: FnRef) -> bool {
    let callees = &model.func(f).callees;
    callees
        .iter()
        .any(|c| matches!(c, Callee::Method(m) if m == "spawn"))
        && callees.iter().any(|c| c.name() == "bind")
}

/// The children `f` starts before binding their listener.
pub fn find(model: &Model, f: FnRef) -> Vec<ChildBeforeListener> {
    let mut exprs = Vec::new();
    for s in &model.func(f).body().stmts {
        flatten_stmt(s, &mut exprs);
    }
    let loc = |span: Span| Loc { file: f.file, span };
    let mut out = Vec::new();
    for (i, e) in exprs.iter().enumerate() {
        let Some((spawn, names)) = command_spawn(e) else {
            continue;
        };
        let later = exprs[i + 1..].iter().find_map(|l| {
            let (bind, args) = listener_bind(l)?;
            names
                .iter()
                .find(|n| args.iter().any(|a| a.mentions(n)))
                .map(|n| (bind, n.clone()))
        });
        if let Some((bind, address)) = later {
            out.push(ChildBeforeListener {
                function: f,
                spawn: loc(spawn),
                bind: loc(bind),
                address,
            });
        }
    }
    out
}

/// Every expression of a statement, outermost first, in source order,
/// async blocks and closures included.
fn flatten_stmt<'e>(s: &'e Stmt, out: &mut Vec<&'e Expr>) {
    match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => flatten(e, out),
        Stmt::Let { .. } => {}
    }
}

fn flatten<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    out.push(e);
    e.for_each_child(|c| flatten(c, out));
}

/// `Command::new(..)….spawn()`: the `spawn` name's span and the plain
/// names its `arg`/`args`/`env`/`envs` calls mention.
fn command_spawn(e: &Expr) -> Option<(Span, Vec<String>)> {
    let Expr::MethodCall {
        recv,
        method,
        args,
        method_span,
        ..
    } = e
    else {
        return None;
    };
    if method != "spawn" || !args.is_empty() {
        return None;
    }
    let mut names = Vec::new();
    let mut cur: &Expr = recv;
    loop {
        match cur {
            Expr::MethodCall {
                recv, method, args, ..
            } => {
                if matches!(method.as_str(), "arg" | "args" | "env" | "envs") {
                    for a in args {
                        plain_names(a, &mut names);
                    }
                }
                cur = recv;
            }
            Expr::Call { func, .. } => {
                let is_command = matches!(&**func, Expr::Path { segs, .. }
                    if segs.len() >= 2 && segs[segs.len() - 2] == "Command" && segs[segs.len() - 1] == "new");
                return (is_command && !names.is_empty()).then_some((*method_span, names));
            }
            _ => return None,
        }
    }
}

/// Single-segment names in `e` (`socket_path` in `&socket_path`).
fn plain_names(e: &Expr, out: &mut Vec<String>) {
    if let Expr::Path { segs, .. } = e {
        if segs.len() == 1 && !out.contains(&segs[0]) {
            out.push(segs[0].clone());
        }
    }
    e.for_each_child(|c| plain_names(c, out));
}

/// `UnixListener::bind(..)`, `tokio::net::TcpListener::bind(..)`,
/// `UdpSocket::bind(..)`: the call's span and its arguments.
fn listener_bind(e: &Expr) -> Option<(Span, &[Expr])> {
    let Expr::Call { func, args, span } = e else {
        return None;
    };
    let Expr::Path { segs, .. } = &**func else {
        return None;
    };
    let [.., ty, name] = segs.as_slice() else {
        return None;
    };
    (name == "bind" && (ty.ends_with("Listener") || ty.ends_with("Socket")))
        .then_some((*span, args.as_slice()))
}
