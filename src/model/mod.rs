//! The model: facts of every file, linked per crate (types, impl blocks
//! across files, free functions, statics), with name resolution
//! ([`resolve`]) and the reach prefilter ([`reach`]).

pub mod reach;
mod resolve;

use crate::facts::{FileFacts, FnFacts, Receiver, StaticFacts, StructFacts, TypeInfo};
use crate::source::FileId;
use std::collections::HashMap;
use std::path::PathBuf;

/// A reference to one function: file and index into its `fns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnRef {
    /// Defining file.
    pub file: FileId,
    /// Index into that file's `fns`.
    pub index: u32,
}

/// A type defined in the analyzed crate, identified by name and defining
/// file (two modules may both define an `Inner`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeRef {
    /// The type's name.
    pub name: String,
    /// The file that defines it (or holds its first impl block).
    pub file: FileId,
}

/// One analyzed file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as displayed to the user.
    pub path: PathBuf,
    /// Which crate it belongs to.
    pub crate_id: u32,
    /// Its facts.
    pub facts: FileFacts,
}

/// Everything known about the analyzed files.
#[derive(Debug, Default)]
pub struct Model {
    /// Files by [`FileId`].
    pub files: Vec<SourceFile>,
    /// Per type name and crate: the files that define a struct of that name.
    structs: HashMap<(u32, String), Vec<FileId>>,
    /// Per type name and crate: methods and associated functions.
    methods: HashMap<(u32, String), Vec<FnRef>>,
    /// Per crate: free functions by name.
    free_fns: HashMap<(u32, String), Vec<FnRef>>,
    /// Per crate and name: the files defining a `static` of that name.
    statics: HashMap<(u32, String), Vec<FileId>>,
    /// Per crate: names of `macro_rules!` spawn wrappers.
    spawn_macros: std::collections::HashSet<(u32, String)>,
    /// Per crate: the functions whose bodies may hold a
    /// `..Default::default()` struct update, in file order.
    updating_fns: HashMap<u32, Vec<FnRef>>,
}

impl Model {
    /// Link the facts of all files. Files with the same `crate_id` see each
    /// other's types and functions.
    pub fn new(files: Vec<SourceFile>) -> Model {
        let mut model = Model {
            files,
            ..Model::default()
        };
        for (fid, file) in model.files.iter().enumerate() {
            let fid = fid as FileId;
            for m in &file.facts.spawn_macros {
                model.spawn_macros.insert((file.crate_id, m.clone()));
            }
            for st in &file.facts.statics {
                model
                    .statics
                    .entry((file.crate_id, st.name.clone()))
                    .or_default()
                    .push(fid);
            }
            for s in &file.facts.structs {
                model
                    .structs
                    .entry((file.crate_id, s.name.clone()))
                    .or_default()
                    .push(fid);
            }
            for (i, f) in file.facts.fns.iter().enumerate() {
                let r = FnRef {
                    file: fid,
                    index: i as u32,
                };
                if f.may_update {
                    model.updating_fns.entry(file.crate_id).or_default().push(r);
                }
                match &f.owner {
                    Some(owner) => model
                        .methods
                        .entry((file.crate_id, owner.clone()))
                        .or_default()
                        .push(r),
                    None => model
                        .free_fns
                        .entry((file.crate_id, f.name.clone()))
                        .or_default()
                        .push(r),
                }
            }
        }
        model
    }

    /// Give back the files (to drop them in parallel).
    pub fn into_files(self) -> Vec<SourceFile> {
        self.files
    }

    /// The function a reference names.
    pub fn func(&self, r: FnRef) -> &FnFacts {
        &self.files[r.file as usize].facts.fns[r.index as usize]
    }

    /// The crate a file belongs to.
    pub fn crate_of(&self, file: FileId) -> u32 {
        self.files[file as usize].crate_id
    }

    /// The `static` named `name` as seen from `from`: in the same file, else
    /// the only one of that name in the crate.
    pub fn find_static(&self, name: &str, from: FileId) -> Option<(FileId, &StaticFacts)> {
        if self.statics.is_empty() || matches!(name, "None" | "Some" | "Ok" | "Err" | "Self") {
            return None;
        }
        let files = self.statics.get(&(self.crate_of(from), name.to_string()))?;
        let file = if files.contains(&from) {
            from
        } else if files.len() == 1 {
            files[0]
        } else {
            return None;
        };
        let st = self.files[file as usize]
            .facts
            .statics
            .iter()
            .find(|s| s.name == name)?;
        Some((file, st))
    }

    /// Whether `name!` is a crate's own `macro_rules!` spawn wrapper, seen
    /// from `from` (a macro is visible crate-wide once exported or in scope;
    /// any definition in the crate counts).
    pub fn is_spawn_macro(&self, name: &str, from: FileId) -> bool {
        self.is_spawn_macro_in(self.crate_of(from), name)
    }

    /// Whether `name!` is a `macro_rules!` spawn wrapper of crate `krate`.
    pub fn is_spawn_macro_in(&self, krate: u32, name: &str) -> bool {
        !self.spawn_macros.is_empty() && self.spawn_macros.contains(&(krate, name.to_string()))
    }

    /// The first `T { .., ..Default::default() }` of type `ty` in the crate
    /// of `from`, in file order.
    /// Bodies are read (parsed, if pending) only here, only for a type
    /// whose `Default` spawns.
    pub fn default_update_site(&self, ty: &str, from: FileId) -> Option<crate::source::Loc> {
        let fns = self.updating_fns.get(&self.crate_of(from))?;
        fns.iter().find_map(|f| {
            let updates = crate::facts::default_updates_of(self.func(*f));
            let (_, span) = updates.into_iter().find(|(t, _)| t == ty)?;
            Some(crate::source::Loc { file: f.file, span })
        })
    }

    /// Resolve a type name as seen from `from`: a definition in the same
    /// file wins, else the only one in the crate. Types with impl blocks but
    /// no struct definition (enums, foreign types) resolve to the first file
    /// holding an impl.
    pub fn resolve_type(&self, name: &str, from: FileId) -> Option<TypeRef> {
        let krate = self.crate_of(from);
        let key = (krate, name.to_string());
        if let Some(defs) = self.structs.get(&key) {
            if defs.contains(&from) {
                return Some(TypeRef {
                    name: name.to_string(),
                    file: from,
                });
            }
            if defs.len() == 1 {
                return Some(TypeRef {
                    name: name.to_string(),
                    file: defs[0],
                });
            }
            return None;
        }
        let impls = self.methods.get(&key)?;
        let file = if impls.iter().any(|r| r.file == from) {
            from
        } else {
            impls.iter().map(|r| r.file).min()?
        };
        Some(TypeRef {
            name: name.to_string(),
            file,
        })
    }

    /// The struct definition of a type, if it is a struct.
    pub fn struct_def(&self, ty: &TypeRef) -> Option<&StructFacts> {
        self.files[ty.file as usize]
            .facts
            .structs
            .iter()
            .find(|s| s.name == ty.name)
    }

    /// The declared type of field `field` of `ty`.
    pub fn field_type(&self, ty: &TypeRef, field: &str) -> Option<&TypeInfo> {
        self.struct_def(ty)?
            .fields
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, t)| t)
    }

    /// Every method and associated fn of a type: impl blocks in its own file,
    /// and impl blocks in files that do not define another type of that name.
    pub fn methods_of(&self, ty: &TypeRef) -> Vec<FnRef> {
        let krate = self.crate_of(ty.file);
        let Some(all) = self.methods.get(&(krate, ty.name.clone())) else {
            return Vec::new();
        };
        all.iter()
            .copied()
            .filter(|r| {
                r.file == ty.file
                    || self
                        .resolve_type(&ty.name, r.file)
                        .is_some_and(|t| t.file == ty.file)
            })
            .collect()
    }

    /// A method or associated fn of `ty` by name.
    pub fn method(&self, ty: &TypeRef, name: &str) -> Option<FnRef> {
        // Hot path of the interpreter: filter by name before the (costlier)
        // check that the impl block belongs to this type.
        let all = self
            .methods
            .get(&(self.crate_of(ty.file), ty.name.clone()))?;
        all.iter().copied().find(|r| {
            self.func(*r).name == name
                && (r.file == ty.file
                    || self
                        .resolve_type(&ty.name, r.file)
                        .is_some_and(|t| t.file == ty.file))
        })
    }

    /// A free function by name as seen from `from`: same file first, else
    /// the only one in the crate.
    pub fn free_fn(&self, name: &str, from: FileId) -> Option<FnRef> {
        let all = self
            .free_fns
            .get(&(self.crate_of(from), name.to_string()))?;
        if let Some(r) = all.iter().find(|r| r.file == from) {
            return Some(*r);
        }
        (all.len() == 1).then(|| all[0])
    }

    /// The type a constructor builds, if `f` is one (SPEC §2): no `self`
    /// receiver (or a by-value builder `build(self)`), returning `Self` or a
    /// crate type, possibly wrapped.
    pub fn constructed_type(&self, r: FnRef) -> Option<TypeRef> {
        let f = self.func(r);
        let builder = f.receiver == Receiver::Value && f.name.starts_with("build");
        if f.receiver != Receiver::None && !builder {
            return None;
        }
        // Only now: a stubbed signature is parsed when its return type is read.
        let ret = f.ret()?;
        let allowed_wrappers = [
            "Arc", "Rc", "Box", "Pin", "Option", "Result", "Future", "Tuple",
        ];
        if !ret
            .wrappers
            .iter()
            .all(|w| allowed_wrappers.contains(&w.as_str()))
        {
            return None;
        }
        let core = ret.core.as_deref()?;
        if ret.is_self {
            if builder {
                return None;
            }
            return self.resolve_type(f.owner.as_deref()?, r.file);
        }
        let ty = self.resolve_type(core, r.file)?;
        self.struct_def(&ty)?;
        Some(ty)
    }

    /// `Type::name` for a method, `name` for a free function: how findings
    /// and notices name a function.
    pub fn fn_name(&self, r: FnRef) -> String {
        let f = self.func(r);
        match &f.owner {
            Some(o) => format!("{o}::{}", f.name),
            None => f.name.clone(),
        }
    }

    /// Every function of every file, with its reference.
    pub fn all_fns(&self) -> impl Iterator<Item = FnRef> + '_ {
        self.files.iter().enumerate().flat_map(|(fid, f)| {
            (0..f.facts.fns.len()).map(move |i| FnRef {
                file: fid as FileId,
                index: i as u32,
            })
        })
    }
}
