//! Fix snippets, built with `quote` from the user's own names and code and
//! formatted with `prettyplease`.

use crate::analysis::trace::Runtime;
use crate::diagnostic::{Fix, FixStrategy};
use crate::source::{byte_offset, Span, Text};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

mod edits;
mod lock_first;
mod owned;
mod replace;
mod rewrite;
mod scan;
mod signals;
pub use edits::{
    apply_edits, hoist_subscribe_edits, mentions, move_before_edits, preview, reorder_edits,
    spawn_after_cyclic_edits, Hoist,
};
pub use lock_first::lock_first_edits;
pub use owned::{owned_notified_edits, OwnedNotified};
pub use replace::{assigned_value, lock_in_place, mutate_in_place, watch_channel};
pub use rewrite::{
    enable_first_edits, if_to_while_edit, mark_changed_edit, rename_method_edit,
    replace_statement_edit,
};
pub use scan::{
    body_is_only, body_may_wait, bounded_params, crossing_applicability, crossing_applicability_in,
    Call, Crossing,
};
pub use signals::{
    condvar_wait_while_for, condvar_while_loop, notified_before_check, notified_before_spawn,
    notify_one, notify_under_lock, notify_waiters, waker_register_first, watch_mark_changed,
    watch_wait_for,
};

/// What a fix needs to know about the window.
#[derive(Debug, Clone)]
pub struct FixInput {
    /// Thread or async task.
    pub runtime: Runtime,
    /// The constructed type.
    pub type_name: String,
    /// The constructor's name.
    pub ctor: String,
    /// The state the task uses too early.
    pub field: String,
    /// The load-like method (SL002), if any.
    pub load: Option<String>,
    /// Source of the whole spawn call.
    pub spawner_text: Option<String>,
    /// Source of the task expression (closure, async block, future).
    pub task_text: Option<String>,
    /// Source of the statement that initializes the state.
    pub write_text: Option<String>,
    /// Captured handles to the constructed type (`me`, `hub`).
    pub self_handles: Vec<String>,
    /// Other captured names.
    pub other_captures: Vec<String>,
    /// Source of the whole load-like method (SL002), for the typestate.
    pub load_text: Option<String>,
}

/// The text of `span` in `text`.
pub fn slice(text: &str, span: Span) -> Option<String> {
    let (a, b) = (byte_offset(text, span.start), byte_offset(text, span.end));
    (a < b).then(|| text[a..b].to_string())
}

/// The statement starting at `span`: from its start to the end of the line
/// holding its end.
pub fn statement_at(text: Text, span: Span) -> Option<String> {
    let a = text.offset(span.start);
    let b = text.offset(span.end);
    let end = text[b..].find('\n').map(|i| b + i).unwrap_or(text.len());
    let s = text.get(a..end)?.trim().to_string();
    Some(if s.ends_with(';') || s.ends_with('}') {
        s
    } else {
        format!("{s};")
    })
}

/// Format statements as they would sit inside a function body.
fn format_stmts(tokens: TokenStream) -> Option<String> {
    let file: syn::File = syn::parse2(quote! { fn __spawnlint_fix() { #tokens } }).ok()?;
    let text = prettyplease::unparse(&file);
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() < 2 {
        return None;
    }
    let body: Vec<String> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| l.strip_prefix("    ").unwrap_or(l).to_string())
        .collect();
    Some(body.join("\n"))
}

/// Format items (an `impl` block).
fn format_items(tokens: TokenStream) -> Option<String> {
    let file: syn::File = syn::parse2(tokens).ok()?;
    Some(prettyplease::unparse(&file).trim_end().to_string())
}

/// Format one struct field declaration.
fn format_field(name: &syn::Ident, ty: TokenStream) -> Option<String> {
    let text = format_items(quote! { struct S { #name: #ty, } })?;
    text.lines().nth(1).map(|l| l.trim().to_string())
}

/// Stands in for the user's spawn call while a snippet is formatted; the
/// call is spliced back as written ([`splice`]), so a task holding macros
/// (`tokio::select!`, which prettyplease prints on one line) keeps the
/// user's formatting.
const VERBATIM: &str = "__spawnlint_verbatim";

fn verbatim() -> syn::Expr {
    let ident = format_ident!("{}", VERBATIM);
    syn::parse_quote!(#ident())
}

/// `formatted` with the [`verbatim`] placeholder replaced by `text`, its
/// lines re-indented to where the placeholder sits (the text's own base
/// indentation is its last line's: the closing `})` of a spawn).
fn splice(formatted: &str, text: &str) -> Option<String> {
    let placeholder = format!("{VERBATIM}()");
    let at = formatted.find(&placeholder)?;
    let line = formatted[..at].rfind('\n').map_or(0, |i| i + 1);
    let ind =
        &formatted[line..line + (formatted[line..].len() - formatted[line..].trim_start().len())];
    let lines: Vec<&str> = text.trim().lines().collect();
    let base = lines
        .last()
        .filter(|_| lines.len() > 1)
        .map_or(0, |l| l.len() - l.trim_start().len());
    let mut body = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            body.push_str(l.trim_start());
            continue;
        }
        body.push('\n');
        if !l.trim().is_empty() {
            body.push_str(ind);
            body.push_str(
                l.get(base..)
                    .filter(|_| l[..base.min(l.len())].trim().is_empty())
                    .unwrap_or(l.trim_start()),
            );
        }
    }
    Some(formatted.replacen(&placeholder, &body, 1))
}

/// The task's text made to wait for `ready_rx` first: the wait inserted
/// after the body's opening brace, everything else as written. `None` for
/// a task whose body is not a block on lines of its own (the token form
/// is used then).
fn gated_task_text(task: &str, runtime: Runtime) -> Option<String> {
    let head_end = task.find('{')?;
    let head = task[..head_end].trim();
    let wait = match runtime {
        Runtime::Async if head == "async move" || head == "async" => {
            "if ready_rx.await.is_err() {\n__IND__    return;\n__IND__}"
        }
        Runtime::Thread if head.ends_with("||") && !head.contains("loop") => {
            "let _ = ready_rx.recv();"
        }
        _ => return None,
    };
    // The opening line may end in a comment, which stays where it is.
    let rest = &task[head_end + 1..];
    let newline = rest.find('\n')?;
    let opening = &rest[..newline];
    if !(opening.trim().is_empty() || opening.trim_start().starts_with("//")) {
        return None;
    }
    let first_body_line = &rest[newline + 1..];
    let ind = &first_body_line[..first_body_line.len() - first_body_line.trim_start().len()];
    let wait = wait.replace("__IND__", ind);
    Some(format!(
        "{}{{{}\n{ind}{wait}\n{first_body_line}",
        &task[..head_end],
        opening.trim_end()
    ))
}

/// The spawn call with its task argument replaced by `task`.
fn respawn(spawn_call: &syn::Expr, task: syn::Expr) -> Option<syn::Expr> {
    let mut call = spawn_call.clone();
    match &mut call {
        syn::Expr::Call(c) => *c.args.first_mut()? = task,
        syn::Expr::MethodCall(m) => *m.args.first_mut()? = task,
        _ => return None,
    }
    Some(call)
}

/// The task expression, made to wait for `ready_rx` before it does anything.
fn gated_task(task: &syn::Expr, runtime: Runtime) -> syn::Expr {
    let rx = format_ident!("ready_rx");
    let tokens = match (runtime, task) {
        (Runtime::Async, syn::Expr::Async(a)) => {
            let stmts = &a.block.stmts;
            quote! { async move { if #rx.await.is_err() { return; } #(#stmts)* } }
        }
        (Runtime::Async, other) => {
            quote! { async move { if #rx.await.is_err() { return; } #other.await } }
        }
        (Runtime::Thread, syn::Expr::Closure(c)) => {
            let body = &c.body;
            quote! { move || { let _ = #rx.recv(); #body } }
        }
        (Runtime::Thread, other) => quote! { move || { let _ = #rx.recv(); (#other)() } },
    };
    syn::parse2(tokens).unwrap_or_else(|_| task.clone())
}

/// Gate: a ready signal the task awaits first and the initializer fires.
pub fn gate(input: &FixInput) -> Option<Fix> {
    let call: syn::Expr = syn::parse_str(input.spawner_text.as_deref()?).ok()?;
    let task: syn::Expr = syn::parse_str(input.task_text.as_deref()?).ok()?;
    let gated_text = input
        .spawner_text
        .as_deref()
        .zip(input.task_text.as_deref())
        .and_then(|(call, task)| {
            let gated = gated_task_text(task, input.runtime)?;
            call.contains(task).then(|| call.replacen(task, &gated, 1))
        });
    let gated = match &gated_text {
        Some(_) => verbatim(),
        None => respawn(&call, gated_task(&task, input.runtime))?,
    };
    let spliced = |code: String| match &gated_text {
        Some(text) => splice(&code, text),
        None => Some(code),
    };
    let tx = format_ident!("ready_tx");
    let rx = format_ident!("ready_rx");
    let (channel, sender_ty, fire_local, fire_field) = match input.runtime {
        Runtime::Async => (
            quote! { let (#tx, #rx) = tokio::sync::oneshot::channel::<()>(); },
            quote! { std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>> },
            quote! { let _ = #tx.send(()); },
            quote! { if let Some(ready) = self.#tx.lock().unwrap().take() { let _ = ready.send(()); } },
        ),
        Runtime::Thread => (
            quote! { let (#tx, #rx) = std::sync::mpsc::channel::<()>(); },
            quote! { std::sync::Mutex<Option<std::sync::mpsc::Sender<()>>> },
            quote! { drop(#tx); },
            quote! { drop(self.#tx.lock().unwrap().take()); },
        ),
    };
    let signal = match input.runtime {
        Runtime::Async => "a `oneshot` ready signal",
        Runtime::Thread => "an `mpsc` channel whose sender is dropped when ready",
    };
    let field = &input.field;
    match &input.load {
        Some(load) => {
            let field_decl = format_field(&tx, sender_ty)?;
            let ctor_part = spliced(format_stmts(quote! { #channel #gated; })?)?;
            let load_part = format_stmts(fire_field)?;
            let code = format!(
                "// a field of `{ty}`:\n{field_decl}\n\n// in `{ctor}`: create the gate, store `{tx}: std::sync::Mutex::new(Some({tx}))`, and wait on it first in the task:\n{ctor_part}\n\n// in `{load}`, once `{field}` is set:\n{load_part}",
                ty = input.type_name,
                ctor = input.ctor,
            );
            Some(Fix {
                strategy: FixStrategy::Gate,
                title: format!("gate the task on {signal} that `{load}` fires"),
                code,
                ..Fix::default()
            })
        }
        None => {
            let write = input
                .write_text
                .as_deref()
                .and_then(|w| syn::parse_str::<syn::Block>(&format!("{{ {w} }}")).ok())
                .map(|b| b.stmts)
                .unwrap_or_default();
            let code = spliced(format_stmts(
                quote! { #channel #gated; #(#write)* #fire_local },
            )?)?;
            Some(Fix {
                strategy: FixStrategy::Gate,
                title: format!("gate the task on {signal}, fired once `{field}` is initialized"),
                code,
                ..Fix::default()
            })
        }
    }
}

/// Start method: the spawn moves into `start`, called after loading.
pub fn start_method(input: &FixInput) -> Option<Fix> {
    let call_text: &str = input.spawner_text.as_deref()?;
    syn::parse_str::<syn::Expr>(call_text).ok()?;
    let call = verbatim();
    let ty = format_ident!("{}", input.type_name);
    let handles: Vec<syn::Ident> = input
        .self_handles
        .iter()
        .map(|h| format_ident!("{}", h))
        .collect();
    let is_builder = input
        .spawner_text
        .as_deref()
        .is_some_and(|s| s.contains("Builder"));
    let ret = match (input.runtime, is_builder) {
        (Runtime::Async, _) => quote! { tokio::task::JoinHandle<()> },
        (Runtime::Thread, false) => quote! { std::thread::JoinHandle<()> },
        (Runtime::Thread, true) => quote! { std::io::Result<std::thread::JoinHandle<()>> },
    };
    let after = input.load.clone().unwrap_or_else(|| input.ctor.clone());
    let doc = format!(" Starts the background task. Call it after `{after}`.");
    let code = format_items(quote! {
        impl #ty {
            #[doc = #doc]
            pub fn start(self: &Arc<Self>) -> #ret {
                #(let #handles = Arc::clone(self);)*
                #call
            }
        }
    })?;
    let code = splice(&code, call_text)?;
    let mut title =
        format!("or start the task only after `{after}`: `pub fn start(self: &Arc<Self>)`");
    if !input.other_captures.is_empty() {
        title.push_str(&format!(
            " (first move {} into fields of `{}`)",
            input
                .other_captures
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            input.type_name
        ));
    }
    Some(Fix {
        strategy: FixStrategy::StartMethod,
        title,
        code,
        ..Fix::default()
    })
}

/// Reorder (SL001): initialize first, then spawn.
pub fn reorder(input: &FixInput) -> Option<Fix> {
    let call_text: &str = input.spawner_text.as_deref()?;
    syn::parse_str::<syn::Expr>(call_text).ok()?;
    let call = verbatim();
    let write: syn::Block =
        syn::parse_str(&format!("{{ {} }}", input.write_text.as_deref()?)).ok()?;
    let stmts = &write.stmts;
    let code = splice(&format_stmts(quote! { #(#stmts)* #call; })?, call_text)?;
    Some(Fix {
        strategy: FixStrategy::Reorder,
        title: format!("move the spawn after `{}` is initialized", input.field),
        code,
        ..Fix::default()
    })
}

/// SL004: build the value first, then spawn with a `Weak` to the finished
/// value, which upgrades from the start.
pub fn spawn_after_cyclic(ty: &str, spawner_text: &str, weak: &str) -> Option<Fix> {
    let call_text: &str = spawner_text;
    syn::parse_str::<syn::Expr>(call_text).ok()?;
    let call = verbatim();
    let weak = format_ident!("{}", weak);
    let code = format_stmts(quote! {
        let #weak = std::sync::Arc::downgrade(&this);
        #call;
        this
    })?;
    let code = splice(&code, call_text)?;
    Some(Fix {
        strategy: FixStrategy::SpawnAfterConstruction,
        title: "spawn once `new_cyclic` has returned, when upgrading the `Weak` succeeds".to_string(),
        code: format!(
            "// bind the finished value; the closure only builds `{ty}` (keep `new_cyclic` if the value stores its own `Weak`):\n// let this = Arc::new_cyclic(|me| {ty} {{ .. }});\n{code}"
        ),
        ..Fix::default()
    })
}

/// The statements of a task expression's body (async block or closure
/// with a block), for editing.
fn task_body_mut(task: &mut syn::Expr) -> Option<&mut Vec<syn::Stmt>> {
    match task {
        syn::Expr::Async(a) => Some(&mut a.block.stmts),
        syn::Expr::Closure(c) => match &mut *c.body {
            syn::Expr::Block(b) => Some(&mut b.block.stmts),
            _ => None,
        },
        _ => None,
    }
}

/// SL006: subscribe in the spawning function and move the receiver in.
/// When the task binds the subscription (`subscribe_text`: the
/// subscribing call, or the call in the task that leads to it) with a
/// `let` of its own, that statement moves before the spawn unchanged;
/// otherwise, when the task subscribes itself (`direct`), a receiver named
/// `receiver` is created first and takes the subscription's place; else
/// the fix is a description.
pub fn subscribe_first(
    sender_text: &str,
    method: &str,
    receiver: &str,
    spawner_text: &str,
    subscribe_text: &str,
    direct: bool,
) -> Option<Fix> {
    let subscribe: syn::Expr = syn::parse_str(subscribe_text).ok()?;
    let wanted = quote!(#subscribe).to_string();
    let mut call = SpawnCall::parse(spawner_text)?;
    let mut hoisted: Option<syn::Stmt> = None;
    if let Some(stmts) = call.task_mut().and_then(task_body_mut) {
        let at = stmts.iter().position(|st| match st {
            syn::Stmt::Local(l) => l.init.as_ref().is_some_and(|i| {
                let e = &i.expr;
                quote!(#e).to_string() == wanted
            }),
            _ => false,
        });
        if let Some(at) = at {
            hoisted = Some(stmts.remove(at));
        }
    }
    let (code, rx_name) = match hoisted {
        Some(stmt) => {
            let name = match &stmt {
                syn::Stmt::Local(l) => {
                    let p = &l.pat;
                    quote!(#p)
                        .to_string()
                        .trim_start_matches("mut ")
                        .to_string()
                }
                _ => receiver.to_string(),
            };
            (
                format!("{}\n{}", format_stmts(quote! { #stmt })?, call.format()?),
                name,
            )
        }
        None => {
            let original = call.format()?;
            let replaced = original.replacen(subscribe_text, receiver, 1);
            if replaced == original || !direct {
                // The subscription sits in a function the task calls: the
                // receiver must be made where the spawn is and passed in.
                return Some(Fix {
                    strategy: FixStrategy::SubscribeFirst,
                    title: format!("subscribe before spawning (`{subscribe_text}` where the task is spawned) and pass the receiver into the task"),
                    code: format!("// before the spawn, where it is in scope:\nlet {receiver} = /* the receiver `{subscribe_text}` makes */;\n// and in the task, use `{receiver}` instead of subscribing"),
                    ..Fix::default()
                });
            }
            let sender: syn::Expr = syn::parse_str(sender_text).ok()?;
            let m = format_ident!("{}", method);
            let rx = format_ident!("{}", receiver);
            let code = format!(
                "{}\n{replaced}",
                format_stmts(quote! { let #rx = #sender.#m(); })?
            );
            (code, receiver.to_string())
        }
    };
    Some(Fix {
        strategy: FixStrategy::SubscribeFirst,
        title: format!(
            "subscribe before spawning and move `{rx_name}` into the task, so nothing sent after the spawn is missed"
        ),
        code,
        ..Fix::default()
    })
}

/// A spawn call as a fix rewrites it: a call or method call whose first
/// argument is the task, or a spawn macro whose one argument is.
enum SpawnCall {
    Expr(syn::Expr),
    Macro(syn::Path, syn::Expr),
}

impl SpawnCall {
    fn parse(text: &str) -> Option<SpawnCall> {
        match syn::parse_str::<syn::Expr>(text).ok()? {
            syn::Expr::Macro(m) => {
                let task = syn::parse2::<syn::Expr>(m.mac.tokens.clone()).ok()?;
                Some(SpawnCall::Macro(m.mac.path, task))
            }
            other => Some(SpawnCall::Expr(other)),
        }
    }

    fn task_mut(&mut self) -> Option<&mut syn::Expr> {
        match self {
            SpawnCall::Expr(syn::Expr::Call(c)) => c.args.first_mut(),
            SpawnCall::Expr(syn::Expr::MethodCall(m)) => m.args.first_mut(),
            SpawnCall::Expr(_) => None,
            SpawnCall::Macro(_, task) => Some(task),
        }
    }

    /// As a statement; a macro's task is formatted as code, not left as
    /// the token stream prettyplease would print on one line.
    fn format(&self) -> Option<String> {
        match self {
            SpawnCall::Expr(e) => format_stmts(quote! { #e; }),
            SpawnCall::Macro(path, task) => {
                let body = format_stmts(quote! { #task; })?;
                let body = body.strip_suffix(';').unwrap_or(&body);
                Some(format!(
                    "{}!({body});",
                    quote!(#path).to_string().replace(' ', "")
                ))
            }
        }
    }
}

/// SL005: a `Default` without side effects, and a start method holding the
/// spawn. `captures` pairs each name the task captured with the field of
/// the value that holds the same state, when there is one.
pub fn default_without_spawn(
    ty: &str,
    runtime: Runtime,
    spawner_text: &str,
    captures: &[(String, Option<String>)],
) -> Option<Fix> {
    let call_text: &str = spawner_text;
    syn::parse_str::<syn::Expr>(call_text).ok()?;
    let call = verbatim();
    let t = format_ident!("{}", ty);
    let ret = match runtime {
        Runtime::Async => quote! { tokio::task::JoinHandle<()> },
        Runtime::Thread => quote! { std::thread::JoinHandle<()> },
    };
    let lets: Vec<TokenStream> = captures
        .iter()
        .filter_map(|(name, field)| {
            let n = format_ident!("{}", name);
            let f = format_ident!("{}", field.as_deref()?);
            Some(quote! { let #n = self.#f.clone(); })
        })
        .collect();
    let unmapped: Vec<&str> = captures
        .iter()
        .filter(|(_, f)| f.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    let doc = format!(
        " Starts the background task. `{ty}::default()` only builds the value, so struct-update syntax cannot leave a task running on overridden fields."
    );
    let code = format_items(quote! {
        impl #t {
            #[doc = #doc]
            pub fn start(&self) -> #ret {
                #(#lets)*
                #call
            }
        }
    })?;
    let mut code = splice(&code, call_text)?;
    if !unmapped.is_empty() {
        code.push_str(&format!(
            "\n// first keep {} in fields of `{ty}` (or pass them to `start`)",
            unmapped
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Some(Fix {
        strategy: FixStrategy::StartMethod,
        title: format!(
            "keep `Default` free of side effects: build the value in `default` and move the spawn into `{ty}::start`"
        ),
        code,
        ..Fix::default()
    })
}

/// Replace the `self` keyword by `this` throughout a token stream.
fn self_to_this(ts: TokenStream) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    ts.into_iter()
        .map(|tt| match tt {
            TokenTree::Ident(i) if i == "self" => {
                TokenTree::Ident(proc_macro2::Ident::new("this", i.span()))
            }
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), self_to_this(g.stream()));
                ng.set_span(g.span());
                TokenTree::Group(ng)
            }
            other => other,
        })
        .collect()
}

/// SL002: a typestate, so that only the loaded value can start the task.
/// The constructor returns `Unloaded<Type>`; its `load(self)` runs the
/// original `load` body on the value and returns the loaded `Arc<Type>`,
/// which alone has `start`. Written in full when `load` takes `&self`
/// (or `&mut self`) and returns nothing, the common shape.
pub fn typestate(input: &FixInput) -> Option<Fix> {
    let load = input.load.as_deref()?;
    let load_fn: syn::ImplItemFn = syn::parse_str(input.load_text.as_deref()?).ok()?;
    if !matches!(load_fn.sig.output, syn::ReturnType::Default) {
        return None;
    }
    let call_text: &str = input.spawner_text.as_deref()?;
    syn::parse_str::<syn::Expr>(call_text).ok()?;
    let call = verbatim();
    let ty = format_ident!("{}", input.type_name);
    let unloaded = format_ident!("Unloaded{}", input.type_name);
    let load_ident = &load_fn.sig.ident;
    let asyncness = &load_fn.sig.asyncness;
    let params: Vec<&syn::FnArg> = load_fn
        .sig
        .inputs
        .iter()
        .filter(|a| matches!(a, syn::FnArg::Typed(_)))
        .collect();
    let stmts = &load_fn.block.stmts;
    let body = self_to_this(quote! { #(#stmts)* });
    let handles: Vec<syn::Ident> = input
        .self_handles
        .iter()
        .map(|h| format_ident!("{}", h))
        .collect();
    let ret = match input.runtime {
        Runtime::Async => quote! { tokio::task::JoinHandle<()> },
        Runtime::Thread => quote! { std::thread::JoinHandle<()> },
    };
    let doc_u = format!(
        " A `{ty}` that has not been loaded yet: it cannot start the task.",
        ty = input.type_name
    );
    let doc_l = format!(" Runs `{load}` and returns the value that can start the task.");
    let doc_s = " Starts the task. Only a loaded value has this method.".to_string();
    let code = format_items(quote! {
        #[doc = #doc_u]
        pub struct #unloaded(#ty);

        impl #unloaded {
            #[doc = #doc_l]
            pub #asyncness fn #load_ident(self, #(#params),*) -> std::sync::Arc<#ty> {
                let this = self.0;
                #body
                std::sync::Arc::new(this)
            }
        }

        impl #ty {
            #[doc = #doc_s]
            pub fn start(self: &std::sync::Arc<Self>) -> #ret {
                #(let #handles = std::sync::Arc::clone(self);)*
                #call
            }
        }
    })?;
    let code = splice(&code, call_text)?;
    Some(Fix {
        strategy: FixStrategy::Typestate,
        title: format!(
            "or make the wrong order a compile error: `{ctor}` returns `{unloaded}` (no spawn), whose `{load}(self)` returns the `Arc<{ty}>` that alone has `start`",
            ctor = input.ctor,
            ty = input.type_name
        ),
        code: format!(
            "{code}\n\n// `{ctor}` builds the value without spawning and wraps it: `{unloaded}(Self {{ .. }})`;\n// callers write `let hub = {ty}::{ctor}().{load}(..); hub.start();`",
            ctor = input.ctor,
            ty = input.type_name
        ),
        ..Fix::default()
    })
}

/// Subscribe before acting on a running task (SL006, spawner form): the
/// subscribing statement, as written, moved above the action.
pub fn subscribe_before_action(subscribe_stmt: &str, action_stmt: &str, action: &str) -> Fix {
    let statement = |s: &str| {
        let s = s.trim();
        if s.ends_with(';') {
            s.to_string()
        } else {
            format!("{s};")
        }
    };
    Fix {
        strategy: FixStrategy::Reorder,
        title: format!("subscribe before `{action}`, so that the events it causes are seen"),
        code: format!("{}\n{}", statement(subscribe_stmt), statement(action_stmt)),
        ..Fix::default()
    }
}
