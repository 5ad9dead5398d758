//! Canonical keys: one name for each piece of state, whichever way the
//! code reached it.

use super::trace::{Key, Root};
use crate::catalog::Catalog;
use crate::model::{Model, TypeRef};
use std::collections::HashMap;

/// The canonical form of a key: a local moved into a struct literal is
/// that field, and type-rooted paths are walked down into crate structs.
pub(super) fn canonical(
    model: &Model,
    cat: &Catalog,
    aliases: &HashMap<u32, Key>,
    key: &Key,
) -> Key {
    let mut key = key.clone();
    for _ in 0..8 {
        let Root::Local(id) = key.root else { break };
        let Some(target) = aliases.get(&id) else {
            break;
        };
        let mut path = target.path.clone();
        path.extend(key.path.iter().cloned());
        key = Key {
            root: target.root.clone(),
            path,
        };
    }
    normalize(model, cat, key)
}

/// Walk a type-rooted key down through fields whose types are crate
/// structs, so `Hub.inner.gauges` becomes `Inner.gauges`.
pub(super) fn normalize(model: &Model, cat: &Catalog, mut key: Key) -> Key {
    while let Root::Type(t) = &key.root {
        let Some(first) = key.path.first() else { break };
        let Some(next) = field_struct(model, cat, t, first) else {
            break;
        };
        key.root = Root::Type(next);
        key.path.remove(0);
    }
    key
}

/// The crate struct a field holds directly (through `Arc`, locks, …), if
/// any. An optional or plural holder is state of its own.
fn field_struct(model: &Model, cat: &Catalog, owner: &TypeRef, field: &str) -> Option<TypeRef> {
    let ty = model.field_type(owner, field)?;
    if ty
        .wrappers
        .iter()
        .any(|w| cat.sem.own_state_wrappers.contains(w))
    {
        return None;
    }
    let core = ty.core.as_deref()?;
    if core == "Self" {
        return Some(owner.clone());
    }
    // `use parking_lot::Condvar;` is not the crate's own `Condvar`.
    if model.imported_from_elsewhere(owner.file, core) {
        return None;
    }
    let t = model.resolve_type(core, owner.file)?;
    model.struct_def(&t)?;
    Some(t)
}
