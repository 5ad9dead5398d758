//! Fix snippets, built with `quote` from the user's own names and code and
//! formatted with `prettyplease`.

use crate::diagnostic::{Edit, Fix, FixStrategy};
use crate::model::flow::Runtime;
use crate::source::{byte_offset, pos_at, Span};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

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
}

/// The text of `span` in `text`.
pub fn slice(text: &str, span: Span) -> Option<String> {
    let (a, b) = (byte_offset(text, span.start), byte_offset(text, span.end));
    (a < b).then(|| text[a..b].to_string())
}

/// The statement starting at `span`: from its start to the end of the line
/// holding its end.
pub fn statement_at(text: &str, span: Span) -> Option<String> {
    let a = byte_offset(text, span.start);
    let b = byte_offset(text, span.end);
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
    let gated = respawn(&call, gated_task(&task, input.runtime))?;
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
            let ctor_part = format_stmts(quote! { #channel #gated; })?;
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
            let code = format_stmts(quote! { #channel #gated; #(#write)* #fire_local })?;
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
    let call: syn::Expr = syn::parse_str(input.spawner_text.as_deref()?).ok()?;
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
    let call: syn::Expr = syn::parse_str(input.spawner_text.as_deref()?).ok()?;
    let write: syn::Block =
        syn::parse_str(&format!("{{ {} }}", input.write_text.as_deref()?)).ok()?;
    let stmts = &write.stmts;
    let code = format_stmts(quote! { #(#stmts)* #call; })?;
    Some(Fix {
        strategy: FixStrategy::Reorder,
        title: format!("move the spawn after `{}` is initialized", input.field),
        code,
        ..Fix::default()
    })
}

/// The edits that apply a reorder mechanically: the spawn statement (the
/// whole lines of a `spawn(..);` that stands alone) moves to just after the
/// initializing statement. Only when both are statements of the same block
/// at the same indentation, the initialization comes later in the file, and
/// the spawn's value is not bound; otherwise `None` (the fix stays a snippet).
pub fn reorder_edits(text: &str, file: &str, call: Span, write: Span) -> Option<Vec<Edit>> {
    let (a, b) = (byte_offset(text, call.start), byte_offset(text, call.end));
    let line_start = text[..a].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..a];
    if a >= b || !indent.trim().is_empty() {
        return None;
    }
    let semi = b + text[b..].find(|c: char| !c.is_whitespace())?;
    if !text[semi..].starts_with(';') {
        return None;
    }
    let line_end = text[semi..].find('\n').map_or(text.len(), |i| semi + i + 1);
    let (wa, wb) = (byte_offset(text, write.start), byte_offset(text, write.end));
    let write_line = text[..wa].rfind('\n').map_or(0, |i| i + 1);
    if wa < line_end || wb < wa || &text[write_line..wa] != indent {
        return None;
    }
    let write_end = text[wb..].find('\n').map_or(text.len(), |i| wb + i + 1);
    let rest = text[wb..write_end].trim();
    let ends_statement =
        rest.starts_with(';') || (rest.is_empty() && text[..wb].trim_end().ends_with([';', '}']));
    if !ends_statement {
        return None;
    }
    // Same block: braces between the two statements balance and never close
    // the block the spawn sits in.
    let mut depth = 0i64;
    for c in text[line_end..write_line].bytes() {
        match c {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    if depth != 0 {
        return None;
    }
    let mut moved = text[line_start..line_end].to_string();
    if !moved.ends_with('\n') {
        moved.push('\n');
    }
    if !text[..write_end].ends_with('\n') {
        moved.insert(0, '\n');
    }
    let at = pos_at(text, write_end);
    Some(vec![
        Edit {
            file: file.to_string(),
            span: Span {
                start: pos_at(text, line_start),
                end: pos_at(text, line_end),
            },
            text: String::new(),
        },
        Edit {
            file: file.to_string(),
            span: Span { start: at, end: at },
            text: moved,
        },
    ])
}

/// Apply edits to the text of one file (edits of other files are ignored).
/// Edits must not overlap; `None` if they do.
pub fn apply_edits(text: &str, file: &str, edits: &[Edit]) -> Option<String> {
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .filter(|e| e.file == file)
        .map(|e| {
            (
                byte_offset(text, e.span.start),
                byte_offset(text, e.span.end),
                e.text.as_str(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| (r.0, r.1));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b, new) in ranges {
        if a < at || b < a {
            return None;
        }
        out.push_str(&text[at..a]);
        out.push_str(new);
        at = b;
    }
    out.push_str(&text[at..]);
    Some(out)
}
