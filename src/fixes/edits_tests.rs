//! The edits' conditions: each shape an edit must refuse, or must mark
//! unsafe, next to the one it accepts.

use super::*;
use crate::diagnostic::Applicability::{Safe, Unsafe};
use crate::fixes::{if_to_while_edit, mark_changed_edit};
use crate::source::{FileEntry, Pos, SourceDb};
use std::sync::Arc;

fn source_db(text: &str) -> SourceDb {
    let mut db = SourceDb::default();
    db.add(FileEntry::new(
        "t.rs".into(),
        "t.rs".into(),
        ".".into(),
        Some(Arc::from(text)),
    ));
    db
}

/// The span of the `n`th (0-based) occurrence of `needle`.
fn span_of(text: &str, needle: &str, n: usize) -> Span {
    let at = text.match_indices(needle).nth(n).expect("needle").0;
    let pos = |b: usize| {
        let line = text[..b].matches('\n').count() as u32 + 1;
        let col = text[..b].rfind('\n').map_or(b, |i| b - i - 1);
        Pos {
            line,
            column: text[b - col..b].chars().count() as u32,
        }
    };
    Span {
        start: pos(at),
        end: pos(at + needle.len()),
    }
}

/// A crossing that knows only the task's captures.
fn takes(captures: &[String]) -> Crossing<'_> {
    Crossing {
        captures,
        ..Crossing::default()
    }
}

fn apply(text: &str, edits: &[Edit]) -> String {
    apply_edits(text, 0, edits).expect("edits apply")
}

#[test]
fn crossing_is_safe_only_past_statements_the_task_cannot_see() {
    let caps = vec!["probe".to_string()];
    assert_eq!(
        crossing_applicability("routes.write().unwrap().extend(seed);", &caps),
        Safe
    );
    assert_eq!(
        crossing_applicability("let x = probe.len();", &caps),
        Unsafe,
        "names a capture"
    );
    assert_eq!(
        crossing_applicability("let f = open(p)?;", &caps),
        Unsafe,
        "leaves early"
    );
    assert_eq!(
        crossing_applicability("if x { return; }", &caps),
        Unsafe,
        "leaves early"
    );
    assert_eq!(
        crossing_applicability("let m = rx.recv();", &caps),
        Unsafe,
        "waits"
    );
    assert_eq!(
        crossing_applicability("load().await;", &caps),
        Unsafe,
        "waits"
    );
    assert_eq!(
        crossing_applicability("self.probe = 1;", &caps),
        Safe,
        "a field, not the capture"
    );
}

const IF_WAIT: &str = "fn f() {\n    let mut g = m.lock().unwrap();\n    if !*g {\n        // why\n        g = c.wait(g).unwrap();\n    }\n}\n";

#[test]
fn if_becomes_while_around_a_lone_wait_that_hands_the_guard_back() {
    let db = source_db(IF_WAIT);
    let (edit, if_text) =
        if_to_while_edit(db.indexed(0).unwrap(), 0, span_of(IF_WAIT, "c.wait(g)", 0)).unwrap();
    assert!(apply(IF_WAIT, &[edit]).contains("    while !*g {\n        // why"));
    assert!(if_text.starts_with("if !*g {"));
}

#[test]
fn if_stays_when_the_wait_is_not_alone_or_has_an_else() {
    for text in [
        IF_WAIT.replace("g = c.wait(g)", "let _h = c.wait(g)"),
        IF_WAIT.replace("        // why\n", "        log();\n"),
        IF_WAIT.replace("    }\n}\n", "    } else {\n        x();\n    }\n}\n"),
        IF_WAIT.replace("if !*g {", "if ready() {"),
    ] {
        let db = source_db(&text);
        let wait = span_of(&text, "c.wait(g)", 0);
        assert!(
            if_to_while_edit(db.indexed(0).unwrap(), 0, wait).is_none(),
            "{text}"
        );
    }
}

const TASK: &str = "fn f(bus: Bus) {\n    tokio::spawn(async move {\n        let mut rx = bus.subscribe();\n        while rx.recv().await.is_ok() {}\n    });\n}\n";

fn hoist(text: &str, captures: &[&str]) -> Option<String> {
    let db = source_db(text);
    let caps: Vec<String> = captures.iter().map(|c| c.to_string()).collect();
    let all = span_of(text, text.trim_end(), 0);
    let h = Hoist {
        call: span_of(text, "tokio::spawn", 0).join(span_of(text, "});", 0)),
        task: span_of(text, "async move", 0).join(span_of(
            text,
            "}",
            text.matches('}').count() - 2,
        )),
        subscribe: span_of(text, "bus.subscribe()", 0),
        fn_end: all,
        captures: &caps,
    };
    let edits = hoist_subscribe_edits(db.indexed(0).unwrap(), 0, &h)?;
    Some(apply(text, &edits))
}

#[test]
fn a_tasks_own_subscription_moves_before_the_spawn() {
    let fixed = hoist(TASK, &["bus"]).expect("hoisted");
    assert!(
        fixed.contains(
            "    let mut rx = bus.subscribe();\n    tokio::spawn(async move {\n        while"
        ),
        "{fixed}"
    );
}

#[test]
fn a_subscription_stays_in_a_loop_on_a_task_local_or_when_its_name_is_used_later() {
    let in_loop = TASK
        .replace("async move {\n", "async move { loop {\n")
        .replace("    });\n}", "    } });\n}");
    assert!(hoist(&in_loop, &["bus"]).is_none(), "inside a loop");
    assert!(hoist(TASK, &[]).is_none(), "the sender is not captured");
    let used_later = TASK.replace("    });\n}", "    });\n    drop(rx);\n}");
    assert!(
        hoist(&used_later, &["bus"]).is_none(),
        "the outer `rx` would be shadowed"
    );
    let shadowed = TASK.replace(
        "        let mut rx",
        "        let bus = other();\n        let mut rx",
    );
    assert!(
        hoist(&shadowed, &["bus"]).is_none(),
        "the task rebinds the sender first"
    );
}

#[test]
fn mark_changed_needs_a_mutable_receiver_bound_on_its_own_line() {
    let text = "fn f() {\n    let mut rx = tx.subscribe();\n    rx.changed();\n}\n";
    let db = source_db(text);
    let sub = span_of(text, "let mut rx = tx.subscribe();", 0);
    let edit = mark_changed_edit(db.indexed(0).unwrap(), 0, sub, "rx").unwrap();
    assert!(apply(text, &[edit]).contains("subscribe();\n    rx.mark_changed();\n"));
    let immutable = text.replace("let mut rx", "let rx");
    let other = source_db(&immutable);
    let sub = span_of(&immutable, "let rx = tx.subscribe();", 0);
    assert!(mark_changed_edit(other.indexed(0).unwrap(), 0, sub, "rx").is_none());
}

#[test]
fn a_preview_is_the_users_text_with_the_edits_in_it() {
    let text = "fn f() {\n    a();\n    tokio::select! { x = y => {} }\n    b();\n}\n";
    let db = source_db(text);
    let at = span_of(text, "a();\n", 0);
    let edit = Edit {
        file: 0,
        span: Span {
            start: at.start,
            end: at.start,
        },
        text: "let rx = s.subscribe();\n    ".into(),
    };
    let shown = preview(db.indexed(0).unwrap(), &[edit]).unwrap();
    assert_eq!(shown, "let rx = s.subscribe();\na();");
}

const REORDER: &str =
    "fn f() {\n    let h = spawn(move || run(&t));\n    use_it(&x);\n    init();\n    h\n}\n";

fn reorder(text: &str, captures: &[&str]) -> Option<(String, Applicability)> {
    let db = source_db(text);
    let caps: Vec<String> = captures.iter().map(|c| c.to_string()).collect();
    let call = span_of(text, "spawn(move || run(&t))", 0);
    let write = span_of(text, "init()", 0);
    let (edits, a) = reorder_edits(db.indexed(0).unwrap(), 0, call, write, takes(&caps), None)?;
    Some((apply(text, &edits), a))
}

#[test]
fn a_bound_spawn_moves_with_its_let_unless_the_name_is_used_in_between() {
    let (fixed, a) = reorder(REORDER, &["t"]).expect("moved");
    assert!(
        fixed.contains("    init();\n    let h = spawn(move || run(&t));\n    h\n"),
        "{fixed}"
    );
    assert_eq!(a, Safe);
    let used = REORDER.replace("use_it(&x)", "use_it(&h)");
    assert!(
        reorder(&used, &["t"]).is_none(),
        "`h` would be used before it is bound"
    );
    let early = REORDER.replace("run(&t));", "run(&t))?;");
    assert_eq!(
        reorder(&early, &["t"]).map(|r| r.1),
        Some(Unsafe),
        "the spawn can leave early"
    );
}

const CHECK_THEN_WAIT: &str = "async fn f(&self) {\n    loop {\n        if self.done() {\n            break;\n        }\n        self.idle.notified().await;\n    }\n}\n";

#[test]
fn a_functions_notified_is_registered_before_its_check() {
    let db = source_db(CHECK_THEN_WAIT);
    let call = span_of(CHECK_THEN_WAIT, "self.idle.notified()", 0);
    let edits = crate::fixes::enable_first_edits(db.indexed(0).unwrap(), 0, call).unwrap();
    let fixed = apply(CHECK_THEN_WAIT, &edits);
    assert!(fixed.contains("    loop {\n        let mut notified = std::pin::pin!(self.idle.notified());\n        notified.as_mut().enable();\n        if self.done()"), "{fixed}");
    assert!(fixed.contains("        notified.await;\n"), "{fixed}");
}

#[test]
fn a_tuple_fields_notified_is_registered_first_too() {
    let text = CHECK_THEN_WAIT.replace("self.idle.notified()", "self.0.notified()");
    let db = source_db(&text);
    let call = span_of(&text, "self.0.notified()", 0);
    let edits = crate::fixes::enable_first_edits(db.indexed(0).unwrap(), 0, call).unwrap();
    let fixed = apply(&text, &edits);
    assert!(
        fixed.contains("let mut notified = std::pin::pin!(self.0.notified());"),
        "{fixed}"
    );
    // A literal is no place.
    let lit = CHECK_THEN_WAIT.replace("self.idle.notified()", "0.notified()");
    let db = source_db(&lit);
    let call = span_of(&lit, "0.notified()", 0);
    assert!(crate::fixes::enable_first_edits(db.indexed(0).unwrap(), 0, call).is_none());
}

#[test]
fn registration_stays_when_the_receiver_is_made_in_the_block_or_the_name_is_taken() {
    for text in [
        CHECK_THEN_WAIT.replace(
            "        self.idle.notified().await;",
            "        let idle = &self.idle;\n        idle.notified().await;",
        ),
        CHECK_THEN_WAIT.replace(
            "        if self.done()",
            "        let notified = 1;\n        if self.done()",
        ),
        CHECK_THEN_WAIT.replace("notified().await;", "notified().await.ok();"),
    ] {
        let db = source_db(&text);
        let needle = if text.contains("idle.notified()") && text.contains("let idle") {
            "idle.notified()"
        } else {
            "self.idle.notified()"
        };
        let at = text.rfind(needle).unwrap();
        let call = span_of(&text[..], needle, text[..at].matches(needle).count());
        assert!(
            crate::fixes::enable_first_edits(db.indexed(0).unwrap(), 0, call).is_none(),
            "{text}"
        );
    }
}

#[test]
fn review_findings_stay_fixed() {
    // A loop may wait for the task: crossing one is unsafe.
    let caps = vec!["t".to_string()];
    assert_eq!(
        crossing_applicability("for _ in ready_rx.iter().take(1) {}", &caps),
        Unsafe
    );
    assert_eq!(
        crossing_applicability("while n.load(SeqCst) == 0 { init(); }", &caps),
        Unsafe
    );
    assert_eq!(
        crossing_applicability("std::thread::park();", &caps),
        Unsafe,
        "a wait after `::`"
    );
    // A name the spawn statement uses outside the task (a builder's
    // argument), moved by what it crosses: unsafe.
    let text = "fn f() {\n    let h = Builder::new().name(name.clone()).spawn(move || run(&t));\n    let label = name;\n    init();\n    h\n}\n";
    let db = source_db(text);
    let call = span_of(
        text,
        "Builder::new().name(name.clone()).spawn(move || run(&t))",
        0,
    );
    let (_, a) = reorder_edits(
        db.indexed(0).unwrap(),
        0,
        call,
        span_of(text, "init()", 0),
        takes(&caps),
        None,
    )
    .unwrap();
    assert_eq!(a, Unsafe);
    // With the handle's `let` (SL003), nothing else may sit between it and the spawn.
    let text = "fn f() {\n    let c = Arc::clone(&cfg);\n    if quit() { return; }\n    spawn(move || run(&c));\n    cfg = Arc::new(2);\n}\n";
    let db = source_db(text);
    let got = reorder_edits(
        db.indexed(0).unwrap(),
        0,
        span_of(text, "spawn(move || run(&c))", 0),
        span_of(text, "cfg = Arc::new(2)", 0),
        takes(&["c".to_string()]),
        Some(span_of(text, "let c = Arc::clone(&cfg);", 0)),
    );
    assert!(
        got.is_none(),
        "a statement between the handle and the spawn"
    );
    // `new_cyclic`: a name the closure makes is gone after it returns.
    let text = "fn new() -> Arc<Self> {\n    Arc::new_cyclic(|weak| {\n        let rt = Handle::current();\n        rt.spawn(async move { weak.upgrade(); });\n        Self {}\n    })\n}\n";
    let db = source_db(text);
    let got = spawn_after_cyclic_edits(
        db.indexed(0).unwrap(),
        0,
        span_of(text, "Arc::new_cyclic(|weak| {\n        let rt = Handle::current();\n        rt.spawn(async move { weak.upgrade(); });\n        Self {}\n    })", 0),
        span_of(text, "rt.spawn(async move { weak.upgrade(); })", 0),
        "weak",
        &["weak".to_string()],
    );
    assert!(got.is_none(), "`rt` lives in the closure");
    // Registering first needs a place, not a temporary.
    let text = CHECK_THEN_WAIT.replace("self.idle.notified()", "self.idle.clone().notified()");
    let db = source_db(&text);
    let call = span_of(&text, "self.idle.clone().notified()", 0);
    assert!(crate::fixes::enable_first_edits(db.indexed(0).unwrap(), 0, call).is_none());
}

#[test]
fn a_cyclic_spawn_moves_safely_only_with_captures_the_closure_leaves_alone() {
    let applicability = |closure_tail: &str| {
        let cyclic = format!(
            "Arc::new_cyclic(|weak| {{\n        tokio::spawn(async move {{ weak.upgrade(); sleep(every).await; }});\n{closure_tail}        Self {{}}\n    }})"
        );
        let text = format!("fn new(mut every: Duration) -> Arc<Self> {{\n    {cyclic}\n}}\n");
        let db = source_db(&text);
        spawn_after_cyclic_edits(
            db.indexed(0).unwrap(),
            0,
            span_of(&text, &cyclic, 0),
            span_of(
                &text,
                "tokio::spawn(async move { weak.upgrade(); sleep(every).await; })",
                0,
            ),
            "weak",
            &["weak".to_string(), "every".to_string()],
        )
        .map(|(_, a)| a)
    };
    // `every` is the function's parameter: the same value after `new_cyclic`.
    assert_eq!(applicability(""), Some(Applicability::Safe));
    // The closure assigns it after the spawn: the moved task would see that.
    assert_eq!(
        applicability("        every = Duration::ZERO;\n"),
        Some(Applicability::Unsafe)
    );
}

const LATE_INSERT: &str = "fn start(&self, id: u64) {\n    let jobs = self.jobs.clone();\n    let task = tokio::spawn(async move { jobs.lock().unwrap().remove(&id); });\n    self.jobs.lock().unwrap().insert(\n        id,\n        task,\n    );\n}\n";

fn lock_first(text: &str) -> Option<(String, Applicability)> {
    let db = source_db(text);
    let spawn = span_of(text, "tokio::spawn", 0);
    let insert = span_of(
        text,
        "self.jobs.lock().unwrap().insert(\n        id,\n        task,\n    )",
        0,
    );
    let (edits, a) = crate::fixes::lock_first_edits(db.indexed(0).unwrap(), 0, spawn, insert)?;
    Some((apply(text, &edits), a))
}

#[test]
fn a_late_insert_takes_its_lock_before_the_spawn_and_drops_it_where_it_did() {
    let (fixed, a) = lock_first(LATE_INSERT).expect("edits");
    assert_eq!(
        fixed,
        "fn start(&self, id: u64) {\n    let jobs = self.jobs.clone();\n    let mut jobs_guard = self.jobs.lock().unwrap();\n    let task = tokio::spawn(async move { jobs.lock().unwrap().remove(&id); });\n    jobs_guard.insert(\n        id,\n        task,\n    );\n    drop(jobs_guard);\n}\n"
    );
    assert_eq!(a, Safe);
    let between = LATE_INSERT.replace(
        "    self.jobs.lock()",
        "    log(&task);\n    self.jobs.lock()",
    );
    assert_eq!(
        lock_first(&between).map(|r| r.1),
        Some(Unsafe),
        "the statement between would run under the lock"
    );
    let joined = LATE_INSERT.replace("});\n", "}).join();\n");
    assert_eq!(
        lock_first(&joined).map(|r| r.1),
        Some(Unsafe),
        "the spawn statement waits while the lock is held"
    );
    let taken = LATE_INSERT
        .replace("jobs_guard", "x")
        .replace("let jobs = ", "let jobs_guard = 1;\n    let jobs = ");
    let (fixed, _) = lock_first(&taken).expect("edits");
    assert!(
        fixed.contains("let mut jobs_guard_2 = "),
        "a fresh name: {fixed}"
    );
    let later = LATE_INSERT.replace(
        "    self.jobs.lock()",
        "    let me = self;\n    me.jobs.lock()",
    );
    assert!(
        crate::fixes::lock_first_edits(
            source_db(&later).indexed(0).unwrap(),
            0,
            span_of(&later, "tokio::spawn", 0),
            span_of(
                &later,
                "me.jobs.lock().unwrap().insert(\n        id,\n        task,\n    )",
                0
            )
        )
        .is_none(),
        "`me` is bound only after the new place of the lock"
    );
}

#[test]
fn a_guard_taken_right_after_the_spawn_moves_above_it() {
    let text = "async fn register(&self, id: String) {\n    let poller = tokio::spawn(async move { loop { tick().await; } });\n    let mut running = self.running.lock().await;\n    running.insert(id, poller);\n}\n";
    let db = source_db(text);
    let spawn = span_of(text, "tokio::spawn", 0);
    let insert = span_of(text, "running.insert(id, poller)", 0);
    let (edits, a) =
        crate::fixes::lock_first_edits(db.indexed(0).unwrap(), 0, spawn, insert).unwrap();
    assert_eq!(
        apply(text, &edits),
        "async fn register(&self, id: String) {\n    let mut running = self.running.lock().await;\n    let poller = tokio::spawn(async move { loop { tick().await; } });\n    running.insert(id, poller);\n}\n"
    );
    assert_eq!(a, Safe);
    let not_first = text.replace("    let mut running", "    note();\n    let mut running");
    let db = source_db(&not_first);
    let insert = span_of(&not_first, "running.insert(id, poller)", 0);
    assert!(
        crate::fixes::lock_first_edits(db.indexed(0).unwrap(), 0, spawn, insert).is_none(),
        "a statement between the spawn and the guard"
    );
}

/// Reorder `call` past `write` in `text`, the task taking `captures`.
fn reorder_at(
    text: &str,
    call: &str,
    write: &str,
    captures: &[&str],
) -> Option<(String, Applicability)> {
    let db = source_db(text);
    let caps: Vec<String> = captures.iter().map(|c| c.to_string()).collect();
    let (call, write) = (span_of(text, call, 0), span_of(text, write, 0));
    let (edits, a) = reorder_edits(db.indexed(0).unwrap(), 0, call, write, takes(&caps), None)?;
    Some((apply(text, &edits), a))
}

#[test]
fn a_name_the_block_uses_after_the_write_is_only_read_by_what_the_spawn_crosses() {
    // `me` is used after the write, so the crossed call cannot have moved
    // it: the task takes the same handle later.
    let text = "fn new() -> Arc<Self> {\n    let me = Arc::new(Self::default());\n    tokio::spawn(Self::refill(Arc::clone(&me)));\n    me.install(rules);\n    me\n}\n";
    let got = reorder_at(
        text,
        "tokio::spawn(Self::refill(Arc::clone(&me)))",
        "me.install(rules)",
        &["me"],
    );
    assert_eq!(got.map(|g| g.1), Some(Safe));
    // Not used after: the crossed code may have moved it.
    let moved = text.replace("    me\n}", "    Arc::new(Self::default())\n}");
    let got = reorder_at(
        &moved,
        "tokio::spawn(Self::refill(Arc::clone(&me)))",
        "me.install(rules)",
        &["me"],
    );
    assert_eq!(got.map(|g| g.1), Some(Unsafe));
    // Assigned by what it crosses (`+=` too): the task would see another value.
    let text =
        "fn f() {\n    let mut n = 1;\n    spawn(move || run(n));\n    n += 1;\n    init(n);\n}\n";
    let got = reorder_at(text, "spawn(move || run(n))", "init(n)", &["n"]);
    assert_eq!(got.map(|g| g.1), Some(Unsafe));
    // A binding the crossed code makes lives on: it may borrow the name.
    let text = "fn f() {\n    spawn(move || run(&t));\n    let g = t.lock();\n    init();\n    drop(g);\n    t\n}\n";
    let got = reorder_at(text, "spawn(move || run(&t))", "init()", &["t"]);
    assert_eq!(got.map(|g| g.1), Some(Unsafe));
}

#[test]
fn a_write_whose_statement_starts_on_its_line_is_the_statement_to_pass() {
    let text = "fn new(c: Config) -> Self {\n    tokio::spawn(async move { CONFIG.get().unwrap(); });\n    let _ = CONFIG.set(c);\n    Self {}\n}\n";
    let (fixed, a) = reorder_at(
        text,
        "tokio::spawn(async move { CONFIG.get().unwrap(); })",
        "CONFIG.set(c)",
        &[],
    )
    .expect("moved");
    assert!(
        fixed.contains("    let _ = CONFIG.set(c);\n    tokio::spawn(async move"),
        "{fixed}"
    );
    assert_eq!(a, Safe);
}

#[test]
fn a_spawn_in_a_loop_moves_with_its_loop_past_a_write_at_the_loops_level() {
    let text = "async fn open(n: usize, f: Vec<String>) -> Self {\n    let s = Arc::new(RwLock::new(Vec::new()));\n    let mut tasks = JoinSet::new();\n    for i in 0..n {\n        let s = Arc::clone(&s);\n        tasks.spawn(async move { s.read().await[0].len() + i });\n    }\n    s.write().await.extend(f);\n    Self { s, tasks }\n}\n";
    let spawners = vec!["spawn".to_string()];
    let cx = Crossing {
        spawners: &spawners,
        ..Crossing::default()
    };
    let db = source_db(text);
    let call = span_of(
        text,
        "tasks.spawn(async move { s.read().await[0].len() + i })",
        0,
    );
    let write = span_of(text, "s.write().await.extend(f)", 0);
    let (edits, a) =
        reorder_edits(db.indexed(0).unwrap(), 0, call, write, cx, None).expect("moved");
    let fixed = apply(text, &edits);
    assert!(
        fixed.contains("    s.write().await.extend(f);\n    for i in 0..n {\n"),
        "{fixed}"
    );
    // Awaiting a lock waits for its holders, not for the task.
    assert_eq!(a, Safe);
    // The loop's own body runs here: a name it uses that the crossed code
    // moves makes the move unsafe.
    let used = text
        .replace(
            "let s = Arc::clone(&s);",
            "let s = Arc::clone(&s);\n        log(&tag);",
        )
        .replace("s.write().await.extend(f);", "drop(tag);");
    let db = source_db(&used);
    let call = span_of(
        &used,
        "tasks.spawn(async move { s.read().await[0].len() + i })",
        0,
    );
    let write = span_of(&used, "drop(tag)", 0);
    let (_, a) = reorder_edits(db.indexed(0).unwrap(), 0, call, write, cx, None).expect("moved");
    assert_eq!(a, Unsafe);
    let call = span_of(
        text,
        "tasks.spawn(async move { s.read().await[0].len() + i })",
        0,
    );
    // Any other await may wait for the task.
    let other = text.replace(
        "s.write().await.extend(f);",
        "s.write().await.extend(f);\n    ready.recv().await;",
    );
    let db = source_db(&other);
    let write = span_of(&other, "ready.recv().await", 0);
    let (_, a) = reorder_edits(db.indexed(0).unwrap(), 0, call, write, cx, None).expect("moved");
    assert_eq!(a, Unsafe);
}
