//! Unit tests of the interpreter: a constructor's timeline, a task's
//! accesses and gates, a method's writes, how a task listens — each as a
//! compact dump checked with `expect!`.

use super::trace::{Access, AccessKind, CtorTrace, Event, Key, Root, SpawnSite};
use crate::catalog::Catalog;
use crate::model::{Model, SourceFile};
use expect_test::{expect, Expect};
use std::fmt::Write;

/// The first statement's expression of `fn f() { <src> }`, lowered.
pub(super) fn lowered(src: &str) -> crate::facts::Expr {
    let file = syn::parse_file(&format!("fn f() {{ {src} }}")).expect("test source parses");
    let mut facts = crate::facts::extract(&file);
    match facts.fns.remove(0).into_body().stmts.remove(0) {
        crate::facts::Stmt::Expr(e) => e,
        crate::facts::Stmt::Let { init, .. } => init.expect("a let with a value"),
    }
}

/// The body of `fn f() { <src> }`, lowered.
pub(super) fn lowered_block(src: &str) -> crate::facts::Block {
    let file = syn::parse_file(&format!("fn f() {{ {src} }}")).expect("test source parses");
    crate::facts::extract(&file).fns.remove(0).into_body()
}

fn model(src: &str) -> Model {
    let parsed = crate::parse::parse_source(0, src).expect("test source parses");
    Model::new(vec![SourceFile {
        path: "lib.rs".into(),
        crate_id: 0,
        facts: parsed.facts,
    }])
}

fn key(k: &Key, locals: &[String]) -> String {
    let root = match &k.root {
        Root::Local(id) => match locals.get(*id as usize) {
            Some(name) => format!("local {name}"),
            None => format!("local #{id}"),
        },
        Root::Type(t) => t.name.clone(),
        Root::Static(s) => format!("static {s}"),
        Root::Cyclic(n) => format!("weak#{n}"),
    };
    std::iter::once(root)
        .chain(k.path.iter().cloned())
        .collect::<Vec<_>>()
        .join(".")
}

fn access(a: &Access, locals: &[String]) -> String {
    let kind = match &a.kind {
        AccessKind::Panicky(how) => format!("panics({how})"),
        AccessKind::Plain => "reads".to_string(),
        AccessKind::Tolerant { lossy: None } => "tolerates".to_string(),
        AccessKind::Tolerant { lossy: Some(_) } => "tolerates-lossy".to_string(),
    };
    let mut flags = Vec::new();
    if a.gated {
        flags.push("gated");
    } else if a.delayed {
        flags.push("delayed");
    } else {
        flags.push("immediate");
    }
    if a.after_first_tick.is_some() {
        flags.push("after-first-tick");
    }
    format!(
        "{kind} {} @{} [{}]",
        key(&a.key, locals),
        a.loc.span.start.line,
        flags.join(", ")
    )
}

fn site(out: &mut String, s: &SpawnSite, locals: &[String]) {
    let _ = writeln!(
        out,
        "spawn {} @{} {:?}{}",
        s.spawner,
        s.loc.span.start.line,
        s.runtime,
        if s.joined { " joined" } else { "" }
    );
    for c in &s.captures {
        let what = c.key.as_ref().map(|k| key(k, locals)).unwrap_or_default();
        let handle = if c.is_handle { " (handle)" } else { "" };
        let _ = writeln!(out, "  captures {} = {what}{handle}", c.name);
    }
    for a in &s.accesses {
        let _ = writeln!(out, "  task {}", access(a, locals));
    }
    for l in &s.listens {
        let _ = writeln!(
            out,
            "  listens {:?} on {} @{}{}{}",
            l.kind,
            l.name,
            l.loc.span.start.line,
            if l.in_loop { " in-loop" } else { "" },
            if l.bounded { " bounded" } else { "" }
        );
    }
}

fn dump(model: &Model, t: &CtorTrace) -> String {
    let mut out = String::new();
    for e in &t.timeline {
        match e {
            Event::Spawn(n) => site(&mut out, &t.spawns[*n], &t.local_names),
            Event::Write(w) => {
                let _ = writeln!(
                    out,
                    "write {} {} @{}{}",
                    key(&w.key, &t.local_names),
                    w.what,
                    w.loc.span.start.line,
                    if w.replaces { " replaces" } else { "" }
                );
            }
            Event::Called(f) => {
                let _ = writeln!(out, "call {}", model.func(*f).name);
            }
            Event::Waited(local) => {
                let _ = writeln!(out, "waits on local {}", t.local_names[*local as usize]);
            }
        }
    }
    let later: Vec<&str> = t
        .later_methods
        .iter()
        .map(|m| model.func(*m).name.as_str())
        .collect();
    let _ = writeln!(out, "later methods: {}", later.join(", "));
    out
}

/// The trace of the constructor `name` of `src`.
fn check_ctor(src: &str, name: &str, want: Expect) {
    let m = model(src);
    let cat = Catalog::builtin();
    let f = m
        .all_fns()
        .find(|f| m.func(*f).name == name)
        .expect("the constructor exists");
    let ty = m.constructed_type(f).expect("it is a constructor");
    let t = super::analyze_constructor(&m, &cat, f, ty);
    want.assert_eq(&dump(&m, &t));
}

/// The spawns function `name` of `src` makes itself.
fn check_spawning_fn(src: &str, name: &str, want: Expect) {
    let m = model(src);
    let cat = Catalog::builtin();
    let f = m
        .all_fns()
        .find(|f| m.func(*f).name == name)
        .expect("the function exists");
    let mut out = String::new();
    for s in super::analyze_spawning_fn(&m, &cat, f) {
        site(&mut out, &s, &[]);
    }
    want.assert_eq(&out);
}

const PRELUDE: &str = "use std::collections::HashMap;\nuse std::sync::{Arc, Mutex};\n";

#[test]
fn timeline_orders_spawn_before_the_initializing_write() {
    let src = format!(
        "{PRELUDE}
pub struct Routes {{ table: Arc<Mutex<HashMap<String, u32>>> }}
impl Routes {{
    pub fn new() -> Self {{
        let table = Arc::new(Mutex::new(HashMap::new()));
        let probe = Arc::clone(&table);
        std::thread::spawn(move || probe.lock().unwrap()[\"/\"]);
        table.lock().unwrap().insert(\"/\".into(), 1);
        Self {{ table }}
    }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            spawn std::thread::spawn @9 Thread
              captures probe = Routes.table (handle)
              task panics(indexing) Routes.table @9 [immediate]
            write Routes.table insert @10
            later methods: 
        "#]],
    );
}

#[test]
fn a_parameter_given_none_skips_its_if_let_some_branch() {
    // `default` passes `None`: neither the plain `if let` nor the one in a
    // let chain runs; `other` passes a value, and both spawn.
    let src = format!(
        "{PRELUDE}
pub struct Index {{ words: Arc<Mutex<Vec<String>>> }}
impl Index {{
    fn new(src: Option<String>, limit: usize) -> Self {{
        let words = Arc::new(Mutex::new(Vec::new()));
        if let Some(s) = src.clone() {{ drop(s); }}
        if let Some(s) = src && limit > 0 {{
            let w = Arc::clone(&words);
            std::thread::spawn(move || w.lock().unwrap().push(s));
        }}
        Self {{ words }}
    }}
    pub fn default() -> Self {{ Self::new(None, 1) }}
    pub fn other(s: String) -> Self {{ Self::new(Some(s), 1) }}
}}
"
    );
    check_ctor(
        &src,
        "default",
        expect![[r#"
            call default
            call new
            later methods: 
        "#]],
    );
    check_ctor(
        &src,
        "other",
        expect![[r#"
            call other
            call new
            spawn std::thread::spawn @11 Thread
              captures s = 
              captures w = Index.words (handle)
            later methods: 
        "#]],
    );
}

#[test]
fn a_gate_before_the_access_is_recorded() {
    let src = format!(
        "{PRELUDE}
pub struct Hub {{ gauges: Arc<Mutex<Option<u32>>> }}
impl Hub {{
    pub fn new() -> Arc<Self> {{
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let hub = Arc::new(Self {{ gauges: Arc::new(Mutex::new(None)) }});
        let me = hub.clone();
        tokio::spawn(async move {{
            let _ = rx.await;
            let g = me.gauges.lock().unwrap().unwrap();
        }});
        hub
    }}
    pub fn load(&self) {{ *self.gauges.lock().unwrap() = Some(1); }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            spawn tokio::spawn @10 Async
              captures rx = local rx (handle)
              captures me = Hub (handle)
              task panics(unwrap()) Hub.gauges @12 [gated]
            later methods: load
        "#]],
    );
}

#[test]
fn an_interval_first_tick_keeps_the_access_immediate() {
    let src = format!(
        "{PRELUDE}
pub struct Stats {{ count: Arc<Mutex<HashMap<String, u32>>> }}
impl Stats {{
    pub fn new() -> Self {{
        let count = Arc::new(Mutex::new(HashMap::new()));
        let c = count.clone();
        tokio::spawn(async move {{
            let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {{
                every.tick().await;
                let n = c.lock().unwrap()[\"x\"];
            }}
        }});
        count.lock().unwrap().insert(\"x\".into(), 0);
        Self {{ count }}
    }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            spawn tokio::spawn @9 Async
              captures c = Stats.count (handle)
              task reads local every @12 [immediate]
              task panics(indexing) Stats.count @13 [immediate, after-first-tick]
            write Stats.count insert @16
            later methods: 
        "#]],
    );
}

#[test]
fn a_joined_spawn_and_a_replaced_handle() {
    let src = format!(
        "{PRELUDE}
pub struct Cfg {{ v: Arc<u32> }}
impl Cfg {{
    pub fn new() -> Self {{
        let v = Arc::new(1);
        let seen = v.clone();
        let h = std::thread::spawn(move || *seen);
        h.join().unwrap();
        let t = v.clone();
        std::thread::spawn(move || *t);
        let v = Arc::new(2);
        Self {{ v }}
    }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            spawn std::thread::spawn @9 Thread joined
              captures seen = local v (handle)
            spawn std::thread::spawn @12 Thread
              captures t = local v (handle)
            write local v = @13 replaces
            later methods: 
        "#]],
    );
}

#[test]
fn calls_are_followed_into_the_crates_own_functions() {
    let src = format!(
        "{PRELUDE}
pub struct Pool {{ jobs: Arc<Mutex<Vec<u32>>> }}
fn start(jobs: Arc<Mutex<Vec<u32>>>) {{
    std::thread::spawn(move || jobs.lock().unwrap()[0]);
}}
fn seed(jobs: &Mutex<Vec<u32>>) {{ jobs.lock().unwrap().push(1); }}
impl Pool {{
    pub fn new() -> Self {{
        let jobs = Arc::new(Mutex::new(Vec::new()));
        start(jobs.clone());
        seed(&jobs);
        Self {{ jobs }}
    }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            call start
            spawn std::thread::spawn @6 Thread
              captures jobs = Pool.jobs
              task panics(indexing) Pool.jobs @6 [immediate]
            call seed
            write Pool.jobs push @8
            later methods: 
        "#]],
    );
}

#[test]
fn how_tasks_listen() {
    let src = "
use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::{broadcast, Notify};
pub struct Svc { ready: Arc<Notify>, events: broadcast::Sender<u32> }
impl Svc {
    pub fn start(&self) {
        let ready = self.ready.clone();
        let events = self.events.clone();
        tokio::spawn(async move {
            let mut rx = events.subscribe();
            loop {
                ready.notified().await;
            }
        });
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p = pair.clone();
        std::thread::spawn(move || {
            let (lock, cvar) = &*p;
            let guard = lock.lock().unwrap();
            if !*guard {
                let _g = cvar.wait(guard).unwrap();
            }
        });
    }
}
";
    check_spawning_fn(
        src,
        "start",
        expect![[r#"
            spawn tokio::spawn @9 Async
              captures ready = Svc.ready (handle)
              captures events = Svc.events (handle)
              task reads Svc.events @10 [immediate]
              listens Subscribe { method: "subscribe", ty: Some(["tokio", "sync", "broadcast", "Sender"]) } on events @10
              listens Notified on ready @12 in-loop
            spawn std::thread::spawn @17 Thread
              captures p = local #1 (handle)
              task reads local #2 @20 [immediate]
              task panics(unwrap()) local #3 @21 [gated]
              listens CondvarWait { check: Once, timed: false, no_spurious: false } on cvar @21
        "#]],
    );
}

#[test]
fn method_effects_record_writes_and_restarts() {
    let src = format!(
        "{PRELUDE}
pub struct Feed {{ cfg: Arc<u32>, seen: Arc<Mutex<Vec<u32>>> }}
impl Feed {{
    pub fn reload(&mut self, v: u32) {{
        self.seen.lock().unwrap().push(v);
        self.cfg = Arc::new(v);
        let c = self.cfg.clone();
        tokio::spawn(async move {{ *c }});
    }}
}}
"
    );
    let m = model(&src);
    let cat = Catalog::builtin();
    let f = m.all_fns().find(|f| m.func(*f).name == "reload").unwrap();
    let ty = m.resolve_type("Feed", 0).unwrap();
    let e = super::method_effects(&m, &cat, &ty, f);
    let writes: Vec<String> = e
        .writes
        .iter()
        .map(|w| format!("{} {} {:?}", key(&w.key, &[]), w.what, w.place))
        .collect();
    expect![[r#"
        [
            "Feed.seen push None",
            "Feed.cfg = Some(\"cfg\")",
        ]
    "#]]
    .assert_debug_eq(&writes);
    assert_eq!(e.spawns.len(), 1, "the restart's spawn is reached");
}

#[test]
fn state_deep_in_nested_structs_has_one_name() {
    // A local moved into `Inner { .. }` inside `Arc<Inner>` inside `Self`
    // is the same state as `self.inner.gauges` in a later method.
    let src = format!(
        "{PRELUDE}
struct Inner {{ gauges: Mutex<Option<u32>> }}
pub struct Hub {{ inner: Arc<Inner> }}
impl Hub {{
    pub fn new() -> Self {{
        let gauges = Mutex::new(None);
        let inner = Arc::new(Inner {{ gauges }});
        let i = inner.clone();
        tokio::spawn(async move {{ i.gauges.lock().unwrap().unwrap() }});
        Self {{ inner }}
    }}
    pub fn load(&self) {{ *self.inner.gauges.lock().unwrap() = Some(1); }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            spawn tokio::spawn @11 Async
              captures i = Inner (handle)
              task panics(unwrap()) Inner.gauges @11 [immediate]
            later methods: load
        "#]],
    );
    let m = model(&src);
    let cat = Catalog::builtin();
    let load = m.all_fns().find(|f| m.func(*f).name == "load").unwrap();
    let hub = m.resolve_type("Hub", 0).unwrap();
    let w = &super::method_effects(&m, &cat, &hub, load).writes[0];
    assert_eq!(key(&w.key, &[]), "Inner.gauges");
}

#[test]
fn a_name_the_task_binds_before_using_it_is_not_captured() {
    let src = format!(
        "{PRELUDE}
pub struct Labels {{ prefix: Arc<Mutex<String>> }}
impl Labels {{
    pub fn new() -> Self {{
        let prefix = Arc::new(Mutex::new(String::new()));
        let shown = Arc::clone(&prefix);
        std::thread::spawn(move || {{
            let prefix = shown.lock().unwrap();
            println!(\"{{}}\", prefix.len());
        }});
        *prefix.lock().unwrap() = \"app.\".to_string();
        Self {{ prefix }}
    }}
}}
"
    );
    check_ctor(
        &src,
        "new",
        expect![[r#"
            call new
            spawn std::thread::spawn @9 Thread
              captures shown = Labels.prefix (handle)
              task reads Labels.prefix @11 [immediate]
            write Labels.prefix = @13
            later methods: 
        "#]],
    );
}

/// Reach admits a function only as far as the interpreter follows calls
/// (`CALL_DEPTH`) and only within its crate.
#[test]
fn reach_stops_at_the_interpreters_depth_and_crate() {
    let src = "fn f0() { f1() } fn f1() { f2() } fn f2() { f3() } fn f3() { f4() } \
               fn f4() { f5() } fn f5() { f6() } fn f6() { std::thread::spawn(|| {}); }";
    let m = model(src);
    let reach =
        crate::model::reach::Reach::compute(&m, Vec::new(), &Default::default(), super::CALL_DEPTH);
    let admitted: Vec<String> = m
        .all_fns()
        .filter(|f| reach.may_spawn(*f))
        .map(|f| m.func(f).name.clone())
        .collect();
    // f6 spawns; f1 is 5 calls away, f0 one more than the interpreter goes.
    assert_eq!(admitted, ["f1", "f2", "f3", "f4", "f5", "f6"]);
    let spawner = "pub fn helper() { std::thread::spawn(|| {}); }";
    let caller = "pub fn start() { helper() }";
    let two_crates = Model::new(vec![
        SourceFile {
            path: "a/lib.rs".into(),
            crate_id: 0,
            facts: crate::parse::parse_source(0, spawner)
                .expect("parses")
                .facts,
        },
        SourceFile {
            path: "b/lib.rs".into(),
            crate_id: 1,
            facts: crate::parse::parse_source(1, caller).expect("parses").facts,
        },
    ]);
    let reach = crate::model::reach::Reach::compute(
        &two_crates,
        Vec::new(),
        &Default::default(),
        super::CALL_DEPTH,
    );
    let admitted: Vec<String> = two_crates
        .all_fns()
        .filter(|f| reach.may_spawn(*f))
        .map(|f| two_crates.func(f).name.clone())
        .collect();
    assert_eq!(
        admitted,
        ["helper"],
        "another crate's same-named fn is not a caller"
    );
}

/// The statement-order passes' prefilters read a pending body's text
/// before parsing it: a body whose calls pass the name test but whose text
/// cannot hold the shape (no `let (..)`, no `Pending`) stays unparsed, and
/// one that can is admitted.
#[test]
fn prefilters_leave_bodies_whose_text_cannot_match_unparsed() {
    let src = r#"
        fn metrics(h: &H, tx: &T, v: &mut Vec<T>) { h.observe(1); tx.send(2); v.push(3); }
        fn poll_metrics(w: &W) -> u8 { w.register(); 0 }
        fn split(c: &C) { let (_items, rx) = c.subscribe(); }
        fn poll_ready(w: &W) -> Poll<()> { w.register(); Poll::Pending }
    "#;
    let m = model(src);
    let fns: Vec<_> = m.all_fns().collect();
    let named = |n: &str| *fns.iter().find(|f| m.func(**f).name == n).expect("fn");
    let (metrics, poll_metrics) = (named("metrics"), named("poll_metrics"));
    assert!(!super::split_subscriptions::may_apply(&m, metrics));
    assert!(!super::snapshots::may_apply(&m, metrics));
    assert!(!super::wakers::may_register(&m, poll_metrics));
    assert!(m.func(metrics).is_pending() && m.func(poll_metrics).is_pending());
    assert!(super::split_subscriptions::may_apply(&m, named("split")));
    assert!(super::wakers::may_register(&m, named("poll_ready")));
}

/// The publish pass needs a clone of a field to publish into; a method
/// whose text has none is not parsed.
#[test]
fn the_publish_prefilter_needs_a_clone_in_the_text() {
    let src = r#"
        struct W { slot: Arc<Mutex<Option<u8>>> }
        impl W {
            fn start(&self) { std::thread::spawn(move || { fill(); }); }
            fn run(&self) { let s = self.slot.clone(); std::thread::spawn(move || { *s.lock().unwrap() = Some(1); }); }
            fn stop(&self) {}
        }
    "#;
    let m = model(src);
    let reach =
        crate::model::reach::Reach::compute(&m, Vec::new(), &Default::default(), super::CALL_DEPTH);
    let fns: Vec<_> = m.all_fns().collect();
    let named = |n: &str| *fns.iter().find(|f| m.func(**f).name == n).expect("fn");
    assert!(!super::publishes::may_apply(&m, &reach, named("start")));
    assert!(m.func(named("start")).is_pending());
    assert!(super::publishes::may_apply(&m, &reach, named("run")));
}
