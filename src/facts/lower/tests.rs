//! Lowering, checked as a compact S-expression of what the analysis keeps.

use crate::facts::{Block, Expr, Pat, Stmt};
use expect_test::{expect, Expect};

fn pat(p: &Pat) -> String {
    match p {
        Pat::Ident { name, mutable } => format!("{}{name}", if *mutable { "mut " } else { "" }),
        Pat::Destructure { path, elems } => {
            format!(
                "{path}({})",
                elems.iter().map(pat).collect::<Vec<_>>().join(", ")
            )
        }
        Pat::Tuple(elems) => format!("({})", elems.iter().map(pat).collect::<Vec<_>>().join(", ")),
        Pat::Other => "_".into(),
    }
}

fn block(b: &Block) -> String {
    let stmts: Vec<String> = b
        .stmts
        .iter()
        .map(|s| match s {
            Stmt::Let { pat: p, init, .. } => {
                format!(
                    "(let {} {})",
                    pat(p),
                    init.as_ref().map(expr).unwrap_or_default()
                )
            }
            Stmt::Expr(e) => expr(e),
        })
        .collect();
    format!("{{{}}}", stmts.join(" "))
}

fn list(es: &[Expr]) -> String {
    es.iter().map(expr).collect::<Vec<_>>().join(" ")
}

fn expr(e: &Expr) -> String {
    match e {
        Expr::Path { segs, .. } => segs.join("::"),
        Expr::Lit(k) => format!("{k:?}"),
        Expr::Field { base, name, .. } => format!("{}.{name}", expr(base)),
        Expr::Index { base, index, .. } => format!("{}[{}]", expr(base), expr(index)),
        Expr::MethodCall {
            recv, method, args, ..
        } => format!("(.{method} {} {})", expr(recv), list(args)).replace(" )", ")"),
        Expr::Call { func, args, .. } => {
            format!("({} {})", expr(func), list(args)).replace(" )", ")")
        }
        Expr::Struct {
            name, fields, rest, ..
        } => {
            let f: Vec<String> = fields
                .iter()
                .map(|(n, v)| format!("{n}: {}", expr(v)))
                .collect();
            let r = rest
                .as_ref()
                .map(|r| format!(" ..{}", expr(r)))
                .unwrap_or_default();
            format!("{name} {{{}{r}}}", f.join(", "))
        }
        Expr::Closure {
            is_move,
            params,
            body,
            ..
        } => format!(
            "({}|{}| {})",
            if *is_move { "move " } else { "" },
            params.iter().map(pat).collect::<Vec<_>>().join(", "),
            expr(body)
        ),
        Expr::Async { body, .. } => format!("(async {})", block(body)),
        Expr::Block(b) => block(b),
        Expr::If { cond, then, els } => format!(
            "(if {} {}{})",
            expr(cond),
            block(then),
            els.as_ref()
                .map(|e| format!(" else {}", expr(e)))
                .unwrap_or_default()
        ),
        Expr::Let { pat: p, expr: e } => format!("(let {} {})", pat(p), expr(e)),
        Expr::Match { scrutinee, arms } => {
            let a: Vec<String> = arms
                .iter()
                .map(|a| format!("{} => {}", pat(&a.pat), expr(&a.body)))
                .collect();
            format!("(match {} [{}])", expr(scrutinee), a.join(", "))
        }
        Expr::While { cond, body } => format!("(while {} {})", expr(cond), block(body)),
        Expr::Loop { body } => format!("(loop {})", block(body)),
        Expr::For { pat: p, iter, body } => {
            format!("(for {} {} {})", pat(p), expr(iter), block(body))
        }
        Expr::Await { base, .. } => format!("{}.await", expr(base)),
        Expr::Try { base } => format!("{}?", expr(base)),
        Expr::Deref { base } => format!("*{}", expr(base)),
        Expr::Not { base } => format!("!{}", expr(base)),
        Expr::Ref { base } => format!("&{}", expr(base)),
        Expr::Assign {
            lhs, rhs, compound, ..
        } => {
            format!(
                "({} {} {})",
                if *compound { "op=" } else { "=" },
                expr(lhs),
                expr(rhs)
            )
        }
        Expr::Macro { name, args, .. } => format!("({name}! {})", list(args)).replace(" )", ")"),
        Expr::Jump { value, .. } => format!(
            "(jump{})",
            value
                .as_ref()
                .map(|v| format!(" {}", expr(v)))
                .unwrap_or_default()
        ),
        Expr::Other(children) => format!("(.. {})", list(children)).replace(" )", ")"),
    }
}

/// The lowered body of the first function in `src`.
fn check(src: &str, want: Expect) {
    let file = syn::parse_file(src).unwrap();
    let facts = super::extract(&file);
    want.assert_eq(&block(facts.fns[0].body()));
}

#[test]
fn statements_calls_and_closures() {
    check(
        "fn f() { let (tx, rx) = mpsc::channel(); let me = self.clone(); std::thread::spawn(move || me.run(rx)); }",
        expect!["{(let (tx, rx) (mpsc::channel)) (let me (.clone self)) (std::thread::spawn (move || (.run me rx)))}"],
    );
}

#[test]
fn control_flow_keeps_patterns_and_guards() {
    check(
        "fn f() { if let Some(x) = m.get(&k) { x } else { return; } match rx.recv() { Ok(job) if job.ok => go(job), _ => continue } }",
        expect!["{(if (let Some(x) (.get m &k)) {x} else {(jump)}) (match (.recv rx) [Ok(job) => (.. job.ok (go job)), _ => (jump)])}"],
    );
}

#[test]
fn assignments_awaits_and_macros() {
    check(
        "async fn f() { *self.x.lock().unwrap() = None; self.n += 1; ready.notified().await; tokio::select! { _ = a => {}, v = b => { use_it(v) } } info!(\"{name} went\"); }",
        expect!["{(= *(.unwrap (.lock self.x)) None) (op= self.n Value) (.notified ready).await (select! (= (..) a) {} (= v b) {(use_it v)}) (info! name)}"],
    );
}

#[test]
fn struct_literals_and_placeholders() {
    check(
        "fn f() -> Self { Self { a: Vec::new(), b: 0, c: false, ..Default::default() } }",
        expect!["{Self {a: (Vec::new), b: Zero, c: Zero ..(Default::default)}}"],
    );
}

#[test]
fn a_type_maps_turbofish_selects_the_place() {
    // Two values of one type map are two places; `collect::<T>()` and an
    // accessor with arguments are ordinary calls.
    check(
        "fn f() { let a = state.borrow::<Greeting>().clone(); state.borrow_mut::<Workers>().insert(1, h); let v = it.collect::<Vec<_>>(); m.get::<u8>(k); }",
        expect!["{(let a (.clone (.borrow state.<Greeting>))) (.insert (.borrow_mut state.<Workers>) Value h) (let v (.collect it)) (.get m k)}"],
    );
}
