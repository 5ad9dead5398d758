//! Name resolution: what a path written in a file names, through that
//! file's `use` declarations and the crate's own items. Everything that
//! resolves a name asks here.

use super::{FnRef, Model, TypeRef};
use crate::source::FileId;

impl Model {
    /// The path `segs` written in `file`, its first segment resolved through
    /// the file's `use` declarations (`spawn` → `tokio::spawn`).
    pub fn resolve_path(&self, file: FileId, segs: &[String]) -> Vec<String> {
        let facts = &self.files[file as usize].facts;
        if let Some(full) = segs.first().and_then(|s| facts.uses.get(s)) {
            let mut p = full.clone();
            p.extend(segs[1..].iter().cloned());
            return p;
        }
        segs.to_vec()
    }

    /// Whether `name`, written in `file`, is imported by a `use` of another
    /// crate (`use tonic::Request;` is not the crate's own `Request`).
    pub fn imported_from_elsewhere(&self, file: FileId, name: &str) -> bool {
        let facts = &self.files[file as usize].facts;
        facts.uses.get(name).is_some_and(|p| {
            !matches!(
                p.first().map(String::as_str),
                Some("crate" | "self" | "super")
            )
        })
    }

    /// The crate type a name written in `file` means: `Self` (the impl's
    /// `owner`), a type of this crate, or nothing when a `use` brings it
    /// from elsewhere.
    pub fn resolve_type_name(
        &self,
        file: FileId,
        owner: Option<&TypeRef>,
        name: &str,
    ) -> Option<TypeRef> {
        if name == "Self" {
            return owner.cloned();
        }
        if self.imported_from_elsewhere(file, name) {
            return None;
        }
        self.resolve_type(name, file)
    }

    /// The crate function a call path written in `file` names: a free
    /// function (`helper`, `module::helper`) or an associated function or
    /// method of a crate type (`Self::f`, `Type::f`).
    pub fn resolve_fn(
        &self,
        file: FileId,
        owner: Option<&TypeRef>,
        segs: &[String],
    ) -> Option<FnRef> {
        match segs {
            [name] => {
                if self.imported_from_elsewhere(file, name) {
                    // `use tokio::spawn_blocking;`: not the crate's own fn —
                    // unless the path's module is one of the crate's
                    // (`use route::route_main;`, a 2018-edition path
                    // relative to this module).
                    let full = self.resolve_path(file, segs);
                    return match full.as_slice() {
                        [.., module, name] => self.module_fn(file, module, name),
                        _ => None,
                    };
                }
                let full = self.resolve_path(file, segs);
                self.free_fn(full.last()?, file)
            }
            [.., ty, name] => {
                if let Some(t) = self.resolve_type_name(file, owner, ty) {
                    return self.method(&t, name);
                }
                if ty.chars().next().is_some_and(|c| c.is_lowercase()) {
                    return self.module_fn(file, ty, name);
                }
                None
            }
            [] => None,
        }
    }

    /// `module::f`: only the crate's own module of that name, never
    /// `tokio::time::timeout` matched by its last name.
    fn module_fn(&self, file: FileId, module: &str, name: &str) -> Option<FnRef> {
        let f = self.free_fn(name, file)?;
        let func = self.func(f);
        let path = &self.files[f.file as usize].path;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let dir = path
            .parent()
            .and_then(|d| d.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let in_module = func.module.last().is_some_and(|m| m == module)
            || stem == module
            || (stem == "mod" && dir == module)
            || matches!(module, "crate" | "self" | "super");
        in_module.then_some(f)
    }
}
