//! Where a package's files come from: a folder, a `.zip` file, or zip bytes
//! already in memory (an upload).
//!
//! Files are opened by name and only when a reader asks for them, so files
//! Waypoint never imports (`demographics.csv`, `userFlags.csv`, …) are never
//! even decompressed.

use crate::error::{ErrorKind, ImportError, Problem};
use crate::{Imported, Progress, oneroster};
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// Largest file read from a package (guards against zip bombs): 2 GiB.
const MAX_FILE_BYTES: u64 = 2 << 30;

/// A OneRoster package to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSource {
    /// A folder holding `manifest.csv`, `users.csv`, … (or holding one
    /// sub-folder that does).
    Folder(PathBuf),
    /// A `.zip` file with the CSV files at its top level or in one sub-folder.
    ZipFile(PathBuf),
    /// A zip archive already in memory, e.g. an upload.
    ZipBytes(Vec<u8>),
}

impl PackageSource {
    /// A folder when `path` is a directory, otherwise a zip file.
    pub fn from_path(path: &Path) -> Self {
        if path.is_dir() {
            Self::Folder(path.to_owned())
        } else {
            Self::ZipFile(path.to_owned())
        }
    }

    /// Reads and validates the whole package.
    ///
    /// # Errors
    ///
    /// Every problem found, see [`ImportError`].
    pub fn import(&self, progress: &mut dyn FnMut(Progress)) -> Result<Imported, ImportError> {
        match self {
            Self::Folder(dir) => {
                let mut files = FolderFiles::open(dir)?;
                oneroster::import(&mut files, progress)
            }
            Self::ZipFile(path) => {
                let bytes = fs::read(path).map_err(|e| {
                    ImportError::single(
                        ErrorKind::Invalid,
                        Problem::new(path.display().to_string(), format!("cannot read: {e}")),
                    )
                })?;
                import_zip(&bytes, progress)
            }
            Self::ZipBytes(bytes) => import_zip(bytes, progress),
        }
    }
}

/// Imports a zip archive held in memory.
pub(crate) fn import_zip(
    bytes: &[u8],
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let mut files = ZipFiles::open(bytes)?;
    oneroster::import(&mut files, progress)
}

/// The files of one package, by base name.
pub(crate) trait Files {
    /// Base names of the package's files (`users.csv`, …).
    fn names(&self) -> &[String];

    /// The content of one file (a name from [`Files::names`]).
    fn read(&mut self, name: &str) -> Result<Vec<u8>, Problem>;

    /// The actual name of `wanted`, matched without regard to case.
    fn find(&self, wanted: &str) -> Option<String> {
        self.names()
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .cloned()
    }
}

struct FolderFiles {
    dir: PathBuf,
    names: Vec<String>,
}

impl FolderFiles {
    fn open(dir: &Path) -> Result<Self, ImportError> {
        let (names, subdirs) = list_dir(dir)?;
        // An unpacked zip often wraps everything in one folder.
        if !names.iter().any(|n| is_csv(n))
            && let [only] = subdirs.as_slice()
        {
            let inner = dir.join(only);
            let (names, _) = list_dir(&inner)?;
            return Ok(Self { dir: inner, names });
        }
        Ok(Self {
            dir: dir.to_owned(),
            names,
        })
    }
}

fn is_csv(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".csv")
}

/// File and sub-folder names directly inside `dir`.
fn list_dir(dir: &Path) -> Result<(Vec<String>, Vec<String>), ImportError> {
    let fail = |e: std::io::Error| {
        ImportError::single(
            ErrorKind::Invalid,
            Problem::new(
                dir.display().to_string(),
                format!("cannot read folder: {e}"),
            ),
        )
    };
    let mut names = Vec::new();
    let mut subdirs = Vec::new();
    for entry in fs::read_dir(dir).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(fail)?;
        if kind.is_dir() {
            subdirs.push(name);
        } else {
            names.push(name);
        }
    }
    names.sort();
    Ok((names, subdirs))
}

impl Files for FolderFiles {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn read(&mut self, name: &str) -> Result<Vec<u8>, Problem> {
        fs::read(self.dir.join(name)).map_err(|e| Problem::new(name, format!("cannot read: {e}")))
    }
}

struct ZipFiles<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// The folder inside the archive holding the files (`""` or `name/`).
    prefix: String,
    names: Vec<String>,
}

impl<'a> ZipFiles<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, ImportError> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ImportError::single(
                ErrorKind::NotOneRoster,
                Problem::new(
                    "package",
                    format!("not a zip archive ({e}): expected a .zip of OneRoster CSV files"),
                ),
            )
        })?;
        let entries: Vec<&str> = archive
            .file_names()
            .filter(|n| !n.ends_with('/') && !n.starts_with("__MACOSX/"))
            .filter(|n| !n.rsplit('/').next().is_some_and(|b| b.starts_with('.')))
            .collect();
        let top: Vec<String> = entries
            .iter()
            .filter(|n| !n.contains('/'))
            .map(|n| (*n).to_owned())
            .collect();
        let (prefix, mut names) = if top.iter().any(|n| is_csv(n)) {
            (String::new(), top)
        } else {
            let mut folders: Vec<&str> = entries
                .iter()
                .filter_map(|n| n.split_once('/'))
                .filter(|(_, rest)| !rest.contains('/') && is_csv(rest))
                .map(|(folder, _)| folder)
                .collect();
            folders.sort_unstable();
            folders.dedup();
            match folders.as_slice() {
                [] => (String::new(), top),
                [folder] => {
                    let prefix = format!("{folder}/");
                    let names = entries
                        .iter()
                        .filter_map(|n| n.strip_prefix(prefix.as_str()))
                        .filter(|rest| !rest.contains('/'))
                        .map(str::to_owned)
                        .collect();
                    (prefix, names)
                }
                several => {
                    return Err(ImportError::single(
                        ErrorKind::NotOneRoster,
                        Problem::new(
                            "package",
                            format!(
                                "the zip holds CSV files in several folders ({}): put one \
                                 package's files at the top level or in a single folder",
                                several.join(", ")
                            ),
                        ),
                    ));
                }
            }
        };
        names.sort();
        Ok(Self {
            archive,
            prefix,
            names,
        })
    }
}

impl Files for ZipFiles<'_> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn read(&mut self, name: &str) -> Result<Vec<u8>, Problem> {
        let full = format!("{}{name}", self.prefix);
        let fail = |e: &dyn std::fmt::Display| Problem::new(name, format!("cannot unzip: {e}"));
        let file = self.archive.by_name(&full).map_err(|e| fail(&e))?;
        let mut out = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 28));
        let read = file
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| fail(&e))?;
        if read as u64 > MAX_FILE_BYTES {
            return Err(Problem::new(name, "file is larger than 2 GiB"));
        }
        Ok(out)
    }
}
